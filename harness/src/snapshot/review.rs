//! `dlconform snapshot review`: one pending snapshot at a time with its diff, and a key to
//! accept, reject or skip it. Plain line input, so it works on any terminal and from a script.

use std::io::{self, BufRead, Write};

use super::pending::Pending;

/// What the review did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReviewTally {
    /// Pending snapshots that became the stored ones.
    pub accepted: usize,
    /// Pending snapshots dropped.
    pub rejected: usize,
    /// Left pending.
    pub skipped: usize,
}

/// The keys, as the prompt shows them.
const PROMPT: &str = "[a]ccept  [r]eject  [s]kip  [q]uit (skip the rest) > ";

/// Review `items` in order, reading one answer a line from `input`; `color` paints the diff.
/// The end of input skips what is left.
pub fn review(
    items: &[Pending],
    input: &mut dyn BufRead,
    out: &mut dyn Write,
    color: bool,
) -> io::Result<ReviewTally> {
    let mut tally = ReviewTally::default();
    for (i, item) in items.iter().enumerate() {
        writeln!(
            out,
            "\n── snapshot {}/{}: {}{}",
            i + 1,
            items.len(),
            item.case_id,
            if item.is_new() { " (new)" } else { "" }
        )?;
        writeln!(out, "   {}", item.pending.display())?;
        match item.diff() {
            Ok(diff) => write_diff(out, &diff, color)?,
            Err(err) => writeln!(out, "   cannot read: {err}")?,
        }
        let answer = loop {
            write!(out, "{PROMPT}")?;
            out.flush()?;
            let mut line = String::new();
            if input.read_line(&mut line)? == 0 {
                break Answer::Quit;
            }
            match parse_answer(line.trim()) {
                Some(answer) => break answer,
                None => writeln!(out, "unknown key `{}`", line.trim())?,
            }
        };
        let done = match answer {
            Answer::Accept => item.accept().map(|()| tally.accepted += 1),
            Answer::Reject => item.reject().map(|()| tally.rejected += 1),
            Answer::Skip => {
                tally.skipped += 1;
                Ok(())
            }
            Answer::Quit => {
                tally.skipped += items.len() - i;
                break;
            }
        };
        match done {
            Ok(()) => writeln!(out, "{}", past(answer))?,
            Err(err) => writeln!(out, "failed: {err}")?,
        }
    }
    Ok(tally)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    Accept,
    Reject,
    Skip,
    Quit,
}

fn parse_answer(text: &str) -> Option<Answer> {
    match text.to_ascii_lowercase().as_str() {
        "a" | "accept" => Some(Answer::Accept),
        "r" | "reject" => Some(Answer::Reject),
        "s" | "skip" | "" => Some(Answer::Skip),
        "q" | "quit" => Some(Answer::Quit),
        _ => None,
    }
}

fn past(answer: Answer) -> &'static str {
    match answer {
        Answer::Accept => "accepted",
        Answer::Reject => "rejected",
        Answer::Skip | Answer::Quit => "skipped",
    }
}

fn write_diff(out: &mut dyn Write, diff: &str, color: bool) -> io::Result<()> {
    for line in diff.lines() {
        let paint = match line.as_bytes().first() {
            _ if !color => None,
            Some(b'+') if !line.starts_with("+++") => Some("32"),
            Some(b'-') if !line.starts_with("---") => Some("31"),
            Some(b'@') => Some("36"),
            _ => None,
        };
        match paint {
            Some(code) => writeln!(out, "\x1b[{code}m{line}\x1b[0m")?,
            None => writeln!(out, "{line}")?,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_accept_reject_skip_in_order_and_eof_skips_the_rest() {
        let dir = tempfile::tempdir().expect("tempdir");
        let items: Vec<Pending> = ["a", "b", "c", "d"]
            .iter()
            .map(|name| {
                let stored = dir.path().join(format!("{name}.yaml"));
                let pending = dir.path().join(format!("{name}.yaml.new"));
                std::fs::write(&stored, "old\n").expect("write");
                std::fs::write(&pending, "new\n").expect("write");
                Pending {
                    stored,
                    pending,
                    case_id: (*name).to_string(),
                }
            })
            .collect();
        let mut input = io::Cursor::new("what\na\nr\ns\n");
        let mut out = Vec::new();
        let tally = review(&items, &mut input, &mut out, false).expect("review");
        assert_eq!(
            tally,
            ReviewTally {
                accepted: 1,
                rejected: 1,
                skipped: 2
            }
        );
        let read = |p: &std::path::Path| std::fs::read_to_string(p).ok();
        assert_eq!(read(&items[0].stored).as_deref(), Some("new\n"));
        assert!(!items[0].pending.exists());
        assert_eq!(read(&items[1].stored).as_deref(), Some("old\n"));
        assert!(!items[1].pending.exists());
        assert!(items[2].pending.exists() && items[3].pending.exists());
        let shown = String::from_utf8_lossy(&out);
        assert!(shown.contains("snapshot 1/4: a"), "{shown}");
        assert!(shown.contains("unknown key `what`"), "{shown}");
        assert!(shown.contains("-old\n+new"), "{shown}");
    }
}
