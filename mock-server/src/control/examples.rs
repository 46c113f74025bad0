//! One example URL per catalog fault, with what a client sees: for the index
//! page, the binary's start-up table and the README.

/// An example of the URL grammar.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Example {
    /// Catalog fault name.
    pub fault: &'static str,
    /// Path and query under the listener's base URL.
    pub path: &'static str,
    /// What curl does with it.
    pub expect: &'static str,
    /// Extra curl arguments that make the point.
    pub curl_args: &'static str,
}

/// The examples, in catalog order.
pub const EXAMPLES: &[Example] = &[
    Example {
        fault: "status",
        path: "/f/missing.bin?status=404",
        expect: "HTTP 404; curl --fail exits 22",
        curl_args: "--fail",
    },
    Example {
        fault: "body",
        path: "/f/data.bin?body=1m&seed=7",
        expect: "1 MiB of seeded bytes, exit 0",
        curl_args: "",
    },
    Example {
        fault: "text",
        path: "/f/hello.txt?text=hello%20world",
        expect: "the text as body",
        curl_args: "",
    },
    Example {
        fault: "content_type",
        path: "/f/a.json?text=%7B%7D&content_type=application/json",
        expect: "Content-Type: application/json",
        curl_args: "-i",
    },
    Example {
        fault: "delay_ms",
        path: "/f/slow.bin?delay_ms=3000&body=1k",
        expect: "head after 3 s; --max-time 1 exits 28",
        curl_args: "--max-time 1",
    },
    Example {
        fault: "hold_until",
        path: "/f/held.bin?body=1k&hold_until=2:3000&key=held",
        expect: "held 3 s unless a second request with key=held arrives first",
        curl_args: "",
    },
    Example {
        fault: "stall",
        path: "/f/stall.bin?stall",
        expect: "never answers; --max-time 2 exits 28",
        curl_args: "--max-time 2",
    },
    Example {
        fault: "stall_after",
        path: "/f/half.bin?body=64k&stall_after=1000",
        expect: "1000 bytes then silence; exits 28",
        curl_args: "--max-time 2",
    },
    Example {
        fault: "trickle",
        path: "/f/trickle.bin?body=10k&trickle=1024:200",
        expect: "1 KiB every 200 ms",
        curl_args: "",
    },
    Example {
        fault: "bandwidth_bps",
        path: "/f/cap.bin?body=1m&bandwidth_bps=256k",
        expect: "about 4 s at 256 KiB/s",
        curl_args: "",
    },
    Example {
        fault: "content_length_delta",
        path: "/f/short.bin?body=1000&cl_delta=+10",
        expect: "Content-Length 1010, 1000 bytes, close; exits 18",
        curl_args: "",
    },
    Example {
        fault: "chunked",
        path: "/f/chunked.bin?body=100k&chunked",
        expect: "Transfer-Encoding: chunked",
        curl_args: "-i",
    },
    Example {
        fault: "close_after",
        path: "/f/cut.bin?body=64k&close_after=1000",
        expect: "1000 bytes then FIN; exits 18",
        curl_args: "",
    },
    Example {
        fault: "reset_after",
        path: "/f/reset.bin?body=64k&reset_after=1000",
        expect: "1000 bytes then TCP RST; exits 56",
        curl_args: "",
    },
    Example {
        fault: "redirect",
        path: "/f/moved.bin?redirect=302:cross-host:2&body=1k",
        expect: "two 302 hops 127.0.0.1 <-> localhost, then the body",
        curl_args: "-L",
    },
    Example {
        fault: "content_disposition",
        path: "/f/x?body=10&cd=filename:a.txt;filename*:%E6%8A%A5%E5%91%8A.pdf",
        expect: "Content-Disposition with filename and filename*",
        curl_args: "-i",
    },
    Example {
        fault: "gzip",
        path: "/f/z.bin?body=100k&gzip",
        expect: "Content-Encoding: gzip, chunked",
        curl_args: "--compressed",
    },
    Example {
        fault: "slow_headers",
        path: "/f/slowhead.bin?body=10&slow_headers=4:100",
        expect: "head 4 bytes every 100 ms",
        curl_args: "",
    },
    Example {
        fault: "raw",
        path: "/f/raw?raw=HTTP/1.1%20200%20OK%5Cr%5CnContent-Length:%20x%5Cr%5Cn%5Cr%5Cn",
        expect: "malformed head; curl exits 8",
        curl_args: "",
    },
    Example {
        fault: "header",
        path: "/f/h.bin?body=10&header=X-Test:1",
        expect: "an extra header",
        curl_args: "-i",
    },
    Example {
        fault: "lowercase_headers",
        path: "/f/lc.bin?body=10&lowercase_headers",
        expect: "header names in lower case",
        curl_args: "-i",
    },
    Example {
        fault: "upload_reset_after",
        path: "/f/up?upload_reset_after=65536",
        expect: "POST: RST after 64 KiB; exits 55 or 56",
        curl_args: "-F file=@big.bin",
    },
    Example {
        fault: "upload_early_413",
        path: "/f/up?upload_early_413",
        expect: "POST: 413 before the body is read",
        curl_args: "-F file=@big.bin",
    },
    Example {
        fault: "upload_read_bps",
        path: "/f/up?upload_read_bps=100k",
        expect: "POST read at 100 KiB/s",
        curl_args: "-F file=@big.bin",
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::respond::fault::{CATALOG, Scenario};

    #[test]
    fn one_example_per_fault_and_all_parse() {
        let names: Vec<_> = EXAMPLES.iter().map(|e| e.fault).collect();
        let catalog: Vec<_> = CATALOG.iter().map(|f| f.name).collect();
        assert_eq!(names, catalog);
        for e in EXAMPLES {
            let query = e.path.split_once('?').map(|(_, q)| q).unwrap_or("");
            assert!(Scenario::from_query(query).is_ok(), "{}", e.path);
        }
    }
}
