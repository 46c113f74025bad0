//! `--filter` expressions: which cases a run selects, by platform, api, case id, tier and the
//! status a previous run gave them, combined with `and`, `or`, `not` and parentheses.
//!
//! ```text
//! platform(douyin) and not id(download/size/**)
//! tier(required) or api(uploadFile)
//! status(fail, timeout, results=reports/latest/results.json)
//! ```

mod parse;
mod status;

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};

use crate::spec::model::{Platform, Tier};
use parse::Arg;
pub use parse::parse;
pub use status::{StatusTable, Wanted};

/// What a filter looks at in a case; the runner's planned case fills it in, so the filter
/// language does not depend on the runner.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    /// The platform the case runs as.
    pub platform: Platform,
    /// The API key (`downloadFile`).
    pub api: &'a str,
    /// The API's documented name (`tt.downloadFile`), when the spec defines the API.
    pub api_name: Option<&'a str>,
    /// `<platform>/<case id>`.
    pub full_id: &'a str,
    /// The case id within its spec.
    pub id: &'a str,
    /// The case's tier.
    pub tier: Tier,
}

/// Where the status predicate reads statuses when neither `results=` nor `--filter-results` says.
pub const DEFAULT_RESULTS: &str = "reports/latest/results.json";

/// A parsed filter expression.
#[derive(Debug, Clone)]
pub enum Expr {
    /// Both hold.
    And(Box<Expr>, Box<Expr>),
    /// Either holds.
    Or(Box<Expr>, Box<Expr>),
    /// It does not hold.
    Not(Box<Expr>),
    /// One predicate.
    Pred(Predicate),
}

/// One predicate of a filter.
#[derive(Debug, Clone)]
pub enum Predicate {
    /// The platform the case runs as is one of these.
    Platform(Vec<Platform>),
    /// The case's api key (or the api's documented name) matches one of these globs.
    Api(GlobSet),
    /// The case id, with or without its platform, matches one of these globs (`*` one segment, `**` any).
    Id(GlobSet),
    /// The case's tier is one of these.
    Tier(Vec<Tier>),
    /// In the results file, the case had one of these statuses.
    Status {
        /// The statuses (or `unexpected`, `expected`, `missing`).
        wanted: Vec<Wanted>,
        /// `results=FILE`, when given.
        results: Option<PathBuf>,
        /// Offset of the predicate, for errors about its file.
        at: usize,
    },
}

impl Predicate {
    /// Predicate names, as written.
    pub const NAMES: [&'static str; 5] = ["platform", "api", "id", "tier", "status"];

    fn build(text: &str, at: usize, name: &str, args: Vec<Arg>) -> Result<Predicate, FilterError> {
        let mut results = None;
        let mut plain = Vec::new();
        for arg in args {
            match arg.key.as_deref() {
                None => plain.push(arg),
                Some("results") if name == "status" => results = Some(PathBuf::from(&arg.value)),
                Some(key) => {
                    let expected = if name == "status" {
                        "a status or `results=FILE`"
                    } else {
                        "a plain argument"
                    };
                    return Err(FilterError::at(
                        text,
                        arg.at,
                        format!("`{name}` takes no `{key}=`"),
                        expected,
                    ));
                }
            }
        }
        if plain.is_empty() {
            return Err(FilterError::at(
                text,
                at,
                format!("`{name}` needs at least one argument"),
                "an argument",
            ));
        }
        let one_of = |arg: &Arg, known: &[&str]| {
            FilterError::at(
                text,
                arg.value_at,
                format!("unknown {name} `{}`", arg.value),
                &format!("one of {}", known.join(", ")),
            )
        };
        Ok(match name {
            "platform" => {
                let known: Vec<&str> = Platform::ALL.iter().map(|p| p.name()).collect();
                let mut platforms = Vec::new();
                for arg in &plain {
                    platforms
                        .push(Platform::from_name(&arg.value).ok_or_else(|| one_of(arg, &known))?);
                }
                Predicate::Platform(platforms)
            }
            "tier" => {
                let mut tiers = Vec::new();
                for arg in &plain {
                    tiers.push(match arg.value.as_str() {
                        "required" => Tier::Required,
                        "recommended" => Tier::Recommended,
                        _ => return Err(one_of(arg, &["required", "recommended"])),
                    });
                }
                Predicate::Tier(tiers)
            }
            "status" => {
                let mut wanted = Vec::new();
                for arg in &plain {
                    wanted.push(
                        Wanted::parse(&arg.value).ok_or_else(|| one_of(arg, &Wanted::NAMES))?,
                    );
                }
                Predicate::Status {
                    wanted,
                    results,
                    at,
                }
            }
            "api" => Predicate::Api(globs(text, &plain)?),
            _ => Predicate::Id(globs(text, &plain)?),
        })
    }
}

/// Globs as `--case` builds them: `*` stays within a `/` segment.
fn globs(text: &str, args: &[Arg]) -> Result<GlobSet, FilterError> {
    let mut builder = GlobSetBuilder::new();
    for arg in args {
        let glob: Glob = GlobBuilder::new(&arg.value)
            .literal_separator(true)
            .build()
            .map_err(|err| {
                FilterError::at(text, arg.value_at, format!("bad pattern: {err}"), "a glob")
            })?;
        builder.add(glob);
    }
    builder
        .build()
        .map_err(|err| FilterError::at(text, 0, format!("bad patterns: {err}"), "globs"))
}

/// A filter that does not parse, or whose results file cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct FilterError {
    /// The filter text.
    pub text: String,
    /// 1-based column (in characters) of the problem.
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// What would have been right there.
    pub expected: String,
}

impl FilterError {
    fn at(text: &str, offset: usize, message: String, expected: &str) -> FilterError {
        FilterError {
            text: text.to_string(),
            column: offset + 1,
            message,
            expected: expected.to_string(),
        }
    }
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "bad --filter at column {}: {}; expected {}",
            self.column, self.message, self.expected
        )?;
        writeln!(f, "  {}", self.text)?;
        write!(f, "  {}^", " ".repeat(self.column.saturating_sub(1)))
    }
}

/// A filter ready to match cases: the expression and the statuses its `status` predicates read.
#[derive(Debug, Clone)]
pub struct Filter {
    expr: Expr,
    tables: HashMap<PathBuf, StatusTable>,
    default_results: PathBuf,
    rerun_count: Option<usize>,
}

impl Filter {
    /// Parse `text` and read the results files its `status` predicates name (`default_results`
    /// for those that name none).
    pub fn compile(text: &str, default_results: &Path) -> Result<Filter, FilterError> {
        Filter::from_expr(text, parse(text)?, default_results)
    }

    /// Read the results files of an already built expression; `text` only names it in errors.
    pub fn from_expr(
        text: &str,
        expr: Expr,
        default_results: &Path,
    ) -> Result<Filter, FilterError> {
        let mut tables = HashMap::new();
        let mut missing = None;
        visit_status(&expr, &mut |results, at| {
            let path = results.unwrap_or(default_results).to_path_buf();
            if missing.is_some() || tables.contains_key(&path) {
                return;
            }
            match StatusTable::read(&path) {
                Ok(table) => {
                    tables.insert(path, table);
                }
                Err(err) => {
                    missing = Some(FilterError::at(text, at, err, "a readable results.json"))
                }
            }
        });
        if let Some(err) = missing {
            return Err(err);
        }
        Ok(Filter {
            expr,
            tables,
            default_results: default_results.to_path_buf(),
            rerun_count: None,
        })
    }

    /// The cases not as expected in `results` (`--rerun-failed`).
    pub fn rerun_failed(results: &Path) -> Result<Filter, String> {
        let table = StatusTable::read(results)?;
        let count = table.unexpected_count();
        let expr = Expr::Pred(Predicate::Status {
            wanted: vec![Wanted::Unexpected],
            results: Some(results.to_path_buf()),
            at: 0,
        });
        Ok(Filter {
            expr,
            tables: HashMap::from([(results.to_path_buf(), table)]),
            default_results: results.to_path_buf(),
            rerun_count: Some(count),
        })
    }

    /// This filter and another, both holding.
    pub fn and(self, other: Filter) -> Filter {
        let mut tables = self.tables;
        tables.extend(other.tables);
        Filter {
            expr: Expr::And(Box::new(self.expr), Box::new(other.expr)),
            tables,
            default_results: self.default_results,
            rerun_count: self.rerun_count.or(other.rerun_count),
        }
    }

    /// With `--rerun-failed`: how many cases its results file had not as expected.
    pub fn rerun_count(&self) -> Option<usize> {
        self.rerun_count
    }

    /// Whether the case is selected.
    pub fn matches(&self, case: &Subject<'_>) -> bool {
        self.eval(&self.expr, case)
    }

    fn eval(&self, expr: &Expr, case: &Subject<'_>) -> bool {
        match expr {
            Expr::And(a, b) => self.eval(a, case) && self.eval(b, case),
            Expr::Or(a, b) => self.eval(a, case) || self.eval(b, case),
            Expr::Not(a) => !self.eval(a, case),
            Expr::Pred(p) => self.holds(p, case),
        }
    }

    fn holds(&self, predicate: &Predicate, case: &Subject<'_>) -> bool {
        match predicate {
            Predicate::Platform(platforms) => platforms.contains(&case.platform),
            Predicate::Api(set) => {
                set.is_match(case.api) || case.api_name.is_some_and(|name| set.is_match(name))
            }
            Predicate::Id(set) => set.is_match(case.full_id) || set.is_match(case.id),
            Predicate::Tier(tiers) => tiers.contains(&case.tier),
            Predicate::Status {
                wanted, results, ..
            } => {
                let path = results.as_deref().unwrap_or(&self.default_results);
                self.tables
                    .get(path)
                    .is_some_and(|table| wanted.iter().any(|w| table.has(case.full_id, *w)))
            }
        }
    }
}

fn visit_status(expr: &Expr, f: &mut dyn FnMut(Option<&Path>, usize)) {
    match expr {
        Expr::And(a, b) | Expr::Or(a, b) => {
            visit_status(a, f);
            visit_status(b, f);
        }
        Expr::Not(a) => visit_status(a, f),
        Expr::Pred(Predicate::Status { results, at, .. }) => f(results.as_deref(), *at),
        Expr::Pred(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(expr: &Expr) -> String {
        match expr {
            Expr::And(a, b) => format!("(and {} {})", shape(a), shape(b)),
            Expr::Or(a, b) => format!("(or {} {})", shape(a), shape(b)),
            Expr::Not(a) => format!("(not {})", shape(a)),
            Expr::Pred(p) => match p {
                Predicate::Platform(v) => format!("platform{}", v.len()),
                Predicate::Api(_) => "api".into(),
                Predicate::Id(_) => "id".into(),
                Predicate::Tier(v) => format!("tier{}", v.len()),
                Predicate::Status {
                    wanted, results, ..
                } => {
                    format!(
                        "status{}{}",
                        wanted.len(),
                        if results.is_some() { "f" } else { "" }
                    )
                }
            },
        }
    }

    fn parsed(text: &str) -> String {
        match parse(text) {
            Ok(expr) => shape(&expr),
            Err(err) => format!(
                "error {}: {}; expected {}",
                err.column, err.message, err.expected
            ),
        }
    }

    #[test]
    fn and_binds_tighter_than_or_and_not_tightest() {
        assert_eq!(
            parsed("tier(required) or platform(douyin) and not id(a/**)"),
            "(or tier1 (and platform1 (not id)))"
        );
        assert_eq!(
            parsed("(tier(required) | api(uploadFile)) & !platform(baidu, wechat)"),
            "(and (or tier1 api) (not platform2))"
        );
        assert_eq!(
            parsed("status(fail, 'timeout', results=\"r s.json\")"),
            "status2f"
        );
    }

    #[test]
    fn errors_name_the_column_and_what_was_expected() {
        assert_eq!(
            parsed("platform(douyin) and )"),
            "error 22: unexpected `)`; expected a predicate (platform, api, id, tier, status), `not` or `(`"
        );
        assert_eq!(
            parsed("platform(douyin"),
            "error 16: unexpected end of the filter; expected `,` or `)`"
        );
        assert_eq!(
            parsed("tier(required) tier(recommended)"),
            "error 16: unexpected `tier`; expected `and`, `or` or the end"
        );
        assert_eq!(
            parsed("platform(wechat, qq)"),
            "error 18: unknown platform `qq`; expected one of feishu-gadget, douyin, wechat, alipay, baidu, feishu-openapi"
        );
        assert_eq!(
            parsed("state(fail)"),
            "error 1: unknown predicate `state`; expected one of platform, api, id, tier, status"
        );
        assert_eq!(
            parsed("id(x, results=y)"),
            "error 7: `id` takes no `results=`; expected a plain argument"
        );
        assert_eq!(
            parsed("api()"),
            "error 5: unexpected `)`; expected an argument of `api`"
        );
        assert_eq!(
            parsed("id('a"),
            "error 4: unclosed quote '; expected a closing quote"
        );
        assert_eq!(
            parsed("status(bad)"),
            format!(
                "error 8: unknown status `bad`; expected one of {}",
                Wanted::NAMES.join(", ")
            )
        );
    }

    #[test]
    fn a_missing_results_file_is_an_error_at_its_predicate() {
        let err = Filter::compile(
            "tier(required) or status(fail)",
            Path::new("/nonexistent/r.json"),
        )
        .expect_err("missing file fails");
        assert_eq!(err.column, 19);
        assert!(
            err.message.contains("/nonexistent/r.json"),
            "{}",
            err.message
        );
    }
}
