//! The filter language's parser: text to [`Expr`], with errors that name the position and
//! what was expected.
//!
//! ```text
//! expr      := and ( ("or" | "|") and )*
//! and       := unary ( ("and" | "&") unary )*
//! unary     := ("not" | "!") unary | "(" expr ")" | predicate
//! predicate := NAME "(" arg ( "," arg )* ")"
//! arg       := WORD | 'quoted' | "quoted" | KEY "=" WORD
//! ```

use super::{Expr, FilterError, Predicate};

/// A token of the filter language (the lexer pairs each with its character offset).
#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Quoted(String),
    Open,
    Close,
    Comma,
    Equals,
    And,
    Or,
    Not,
    End,
}

impl Token {
    fn describe(&self) -> String {
        match self {
            Token::Word(w) => format!("`{w}`"),
            Token::Quoted(w) => format!("'{w}'"),
            Token::Open => "`(`".into(),
            Token::Close => "`)`".into(),
            Token::Comma => "`,`".into(),
            Token::Equals => "`=`".into(),
            Token::And => "`and`".into(),
            Token::Or => "`or`".into(),
            Token::Not => "`not`".into(),
            Token::End => "end of the filter".into(),
        }
    }
}

/// Characters that end a bare word.
fn is_special(c: char) -> bool {
    c.is_whitespace() || matches!(c, '(' | ')' | ',' | '=' | '\'' | '"' | '&' | '|' | '!')
}

fn lex(text: &str) -> Result<Vec<(usize, Token)>, FilterError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        let single = match c {
            '(' => Some(Token::Open),
            ')' => Some(Token::Close),
            ',' => Some(Token::Comma),
            '=' => Some(Token::Equals),
            '&' => Some(Token::And),
            '|' => Some(Token::Or),
            '!' => Some(Token::Not),
            _ => None,
        };
        if c.is_whitespace() {
            i += 1;
        } else if let Some(token) = single {
            tokens.push((start, token));
            i += 1;
        } else if c == '\'' || c == '"' {
            let close = chars[i + 1..].iter().position(|&x| x == c).ok_or_else(|| {
                FilterError::at(
                    text,
                    start,
                    format!("unclosed quote {c}"),
                    "a closing quote",
                )
            })?;
            let word: String = chars[i + 1..i + 1 + close].iter().collect();
            tokens.push((start, Token::Quoted(word)));
            i += close + 2;
        } else {
            while i < chars.len() && !is_special(chars[i]) {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let token = match word.as_str() {
                "and" => Token::And,
                "or" => Token::Or,
                "not" => Token::Not,
                _ => Token::Word(word),
            };
            tokens.push((start, token));
        }
    }
    tokens.push((chars.len(), Token::End));
    Ok(tokens)
}

/// Parse a filter expression.
pub fn parse(text: &str) -> Result<Expr, FilterError> {
    let tokens = lex(text)?;
    let mut parser = Parser {
        text,
        tokens,
        next: 0,
    };
    let expr = parser.or()?;
    parser.expect(&Token::End, "`and`, `or` or the end")?;
    Ok(expr)
}

struct Parser<'a> {
    text: &'a str,
    tokens: Vec<(usize, Token)>,
    next: usize,
}

impl Parser<'_> {
    fn peek(&self) -> &(usize, Token) {
        // `lex` always ends with `End`, and nothing is consumed past it.
        &self.tokens[self.next.min(self.tokens.len() - 1)]
    }

    fn bump(&mut self) -> (usize, Token) {
        let token = self.peek().clone();
        if token.1 != Token::End {
            self.next += 1;
        }
        token
    }

    fn error(&self, found: &(usize, Token), expected: &str) -> FilterError {
        FilterError::at(
            self.text,
            found.0,
            format!("unexpected {}", found.1.describe()),
            expected,
        )
    }

    fn expect(&mut self, token: &Token, expected: &str) -> Result<(), FilterError> {
        let found = self.bump();
        if &found.1 == token {
            Ok(())
        } else {
            Err(self.error(&found, expected))
        }
    }

    fn or(&mut self) -> Result<Expr, FilterError> {
        let mut left = self.and()?;
        while self.peek().1 == Token::Or {
            self.bump();
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, FilterError> {
        let mut left = self.unary()?;
        while self.peek().1 == Token::And {
            self.bump();
            left = Expr::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, FilterError> {
        let token = self.bump();
        match token.1 {
            Token::Not => Ok(Expr::Not(Box::new(self.unary()?))),
            Token::Open => {
                let inner = self.or()?;
                self.expect(&Token::Close, "`)`, `and` or `or`")?;
                Ok(inner)
            }
            Token::Word(name) => self.predicate(token.0, &name),
            _ => Err(self.error(
                &token,
                "a predicate (platform, api, id, tier, status), `not` or `(`",
            )),
        }
    }

    fn predicate(&mut self, at: usize, name: &str) -> Result<Expr, FilterError> {
        if !Predicate::NAMES.contains(&name) {
            return Err(FilterError::at(
                self.text,
                at,
                format!("unknown predicate `{name}`"),
                "one of platform, api, id, tier, status",
            ));
        }
        self.expect(&Token::Open, &format!("`(` after `{name}`"))?;
        let mut args = Vec::new();
        loop {
            let arg = self.bump();
            let value = match arg.1 {
                Token::Word(w) | Token::Quoted(w) => w,
                _ => return Err(self.error(&arg, &format!("an argument of `{name}`"))),
            };
            let (key, value, value_at) = if self.peek().1 == Token::Equals {
                self.bump();
                let v = self.bump();
                match v.1 {
                    Token::Word(w) | Token::Quoted(w) => (Some(value), w, v.0),
                    _ => return Err(self.error(&v, "a value after `=`")),
                }
            } else {
                (None, value, arg.0)
            };
            args.push(Arg {
                at: arg.0,
                key,
                value,
                value_at,
            });
            let next = self.bump();
            match next.1 {
                Token::Comma => continue,
                Token::Close => break,
                _ => return Err(self.error(&next, "`,` or `)`")),
            }
        }
        Predicate::build(self.text, at, name, args).map(Expr::Pred)
    }
}

/// One argument of a predicate, with where it was written.
#[derive(Debug, Clone)]
pub(super) struct Arg {
    /// Offset of the argument (its key, if any).
    pub at: usize,
    /// `key` of `key=value`.
    pub key: Option<String>,
    /// The value.
    pub value: String,
    /// Offset of the value.
    pub value_at: usize,
}
