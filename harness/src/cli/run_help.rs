//! The help of `dlconform run`: what it does, its examples and the filter language.

/// Long help of `dlconform run`.
pub const LONG_ABOUT: &str = "\
Run the spec cases against a candidate and write results.json, report.md, report.html and
junit.xml to --out (default: reports/<run id>/, with reports/latest pointing at it).

Exit codes: 0 every required case as expected (with --strict, every case, none FLAKY); 1
otherwise; 2 the harness could not run (bad spec, bad arguments, a candidate that would not
start).";

/// Examples and the filter language, after the options.
pub const EXAMPLES: &str = "\
Examples:
  Selection (--platform, --case, --filter, --rerun-failed and --partition all hold at once):
    dlconform run --platform douyin --case 'download/timeout/**'
    dlconform run --filter 'platform(douyin) and not id(download/size/**)'
    dlconform run --filter 'tier(required) and (api(uploadFile) or platform(wechat))' --list
    dlconform run --filter 'status(fail, timeout)'      # what failed or timed out in the last run
    dlconform run --rerun-failed                        # what was not as expected in the last run
    dlconform run --rerun-failed out/results.json --platform wechat
  A process candidate (protocol v1, harness/PROTOCOL.md):
    dlconform run --candidate 'cmd:node candidates/example-node/adapter.js' --platform wechat
  A mutant (the reference with one seeded defect; `dlconform candidates` lists them):
    dlconform run --candidate mutant:timeout-ignored --platform douyin --case 'download/timeout/**'
  Expectations (known failures are XFAIL, not FAIL; harness/EXPECTATIONS.md):
    dlconform run --candidate 'cmd:node my-adapter.js' --expectations mine.yaml
    dlconform run --candidate 'cmd:node a.js' --expectations mine.yaml --update-expectations
  Partition (a CI matrix; `dlconform report merge` joins the parts):
    dlconform run --partition 2/3 --out out/part-2
    dlconform report merge out/part-*/results.json --out out/merged
  Retries (a case as expected on a retry is FLAKY; it fails the run only with --strict):
    dlconform run --candidate 'cmd:node my-adapter.js' --retries 2
    dlconform run --candidate 'cmd:node my-adapter.js' --retries 2 --strict
  Snapshots:
    dlconform run --snapshots check && dlconform snapshot review

Filter expressions (--filter):
  platform(NAME, ...)        the platform the case runs as: feishu-gadget, douyin, wechat,
                             alipay, baidu, feishu-openapi
  api(GLOB, ...)             the api key (downloadFile, uploadFile, im.v1.file.get) or its
                             documented name ('tt.downloadFile')
  id(GLOB, ...)              the case id, with or without its platform; `*` matches within one
                             `/` segment, `**` any number of them
  tier(required|recommended) the case's tier
  status(STATUS, ...[, results=FILE])
                             the case's status in a results file (default: --filter-results,
                             itself reports/latest/results.json by default): pass, fail,
                             timeout, crash, error, unsupported, xfail, xpass, flaky, skip;
                             unexpected (not as expected), expected, missing (not in the file)
  A and B, A or B, not A     also written &, |, !; `not` binds tightest, then `and`, then `or`;
                             parentheses group. Quote an argument with ' or \" when it holds
                             spaces, commas or parentheses.
  A filter that does not parse is refused (exit 2) with the column and what was expected there.";
