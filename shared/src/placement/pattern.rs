//! The regular expressions of CQL's `=~` / `!~` operators.
//!
//! ECS evaluates them with `java.util.regex.Pattern`; Berth implements the subset people write
//! in placement constraints, with Java's meaning, and no dependency:
//!
//! - literals, `.` (any character), `^` and `$`;
//! - classes `[abc]`, `[a-z0-9]`, `[^…]`, and the escapes `\d \D \w \W \s \S \t \n \r \f`,
//!   plus any escaped punctuation (`\.`, `\*`, …);
//! - groups `( … )` and `(?: … )`, alternation `|`;
//! - quantifiers `*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}`, optionally followed by `?` (lazy; the
//!   same result for a whole-string match).
//!
//! Matching is **whole-string** (Java's `Pattern.matches`), the MODEL chosen in
//! docs/ECS-MODEL.md §3.3: `t2.*` matches `t2.micro` but not `xt2.micro`. The matcher is a Pike
//! VM: linear in the input, no catastrophic backtracking, so hostile patterns cannot hang the
//! console.

use std::fmt;

/// Largest compiled program accepted (bounded repetition is expanded).
const MAX_PROGRAM: usize = 20_000;

/// A compiled pattern. Equality compares the source text.
#[derive(Debug, Clone)]
pub struct Pattern {
    source: String,
    program: Vec<Inst>,
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

/// Why a pattern did not compile: the byte offset inside the pattern and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    /// Byte offset inside the pattern text.
    pub offset: usize,
    /// What was wrong.
    pub message: String,
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {} of the pattern", self.message, self.offset)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shorthand {
    Digit,
    Word,
    Space,
}

impl Shorthand {
    fn matches(self, c: char) -> bool {
        match self {
            Self::Digit => c.is_ascii_digit(),
            Self::Word => c.is_ascii_alphanumeric() || c == '_',
            Self::Space => matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0B' | '\x0C'),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum ClassItem {
    Range(char, char),
    Shorthand(Shorthand, bool),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Class {
    negated: bool,
    items: Vec<ClassItem>,
}

impl Class {
    fn matches(&self, c: char) -> bool {
        let hit = self.items.iter().any(|item| match *item {
            ClassItem::Range(low, high) => (low..=high).contains(&c),
            ClassItem::Shorthand(kind, negated) => kind.matches(c) != negated,
        });
        hit != self.negated
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Node {
    Empty,
    Char(char),
    Any,
    Class(Class),
    Start,
    End,
    Concat(Vec<Node>),
    Alternation(Vec<Node>),
    Repeat {
        node: Box<Node>,
        min: u32,
        max: Option<u32>,
    },
}

#[derive(Debug, Clone)]
enum Inst {
    Char(char),
    Any,
    Class(Class),
    Split(usize, usize),
    Jump(usize),
    AssertStart,
    AssertEnd,
    Match,
}

impl Pattern {
    /// Compiles `source`.
    pub fn new(source: &str) -> Result<Self, PatternError> {
        let mut parser = Parser {
            text: source,
            pos: 0,
        };
        let node = parser.alternation()?;
        if let Some(c) = parser.peek() {
            return Err(parser.error(&format!("unexpected {c:?}")));
        }
        let mut program = Vec::new();
        compile(&node, &mut program).map_err(|message| PatternError { offset: 0, message })?;
        program.push(Inst::Match);
        Ok(Self {
            source: source.to_owned(),
            program,
        })
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether the whole of `text` matches.
    pub fn matches(&self, text: &str) -> bool {
        let len = self.program.len();
        let mut current: Vec<usize> = Vec::with_capacity(len);
        let mut next: Vec<usize> = Vec::with_capacity(len);
        let mut seen = vec![usize::MAX; len];
        let mut generation = 0usize;
        let chars: Vec<char> = text.chars().collect();
        self.add_thread(&mut current, &mut seen, generation, 0, 0, chars.len());
        for (index, &c) in chars.iter().enumerate() {
            if current.is_empty() {
                return false;
            }
            generation += 1;
            next.clear();
            for &pc in &current {
                let advance = match &self.program[pc] {
                    Inst::Char(expected) => *expected == c,
                    Inst::Any => true,
                    Inst::Class(class) => class.matches(c),
                    _ => false,
                };
                if advance {
                    self.add_thread(
                        &mut next,
                        &mut seen,
                        generation,
                        pc + 1,
                        index + 1,
                        chars.len(),
                    );
                }
            }
            std::mem::swap(&mut current, &mut next);
        }
        current
            .iter()
            .any(|&pc| matches!(self.program[pc], Inst::Match))
    }

    fn add_thread(
        &self,
        list: &mut Vec<usize>,
        seen: &mut [usize],
        generation: usize,
        pc: usize,
        at: usize,
        end: usize,
    ) {
        let mut stack = vec![pc];
        while let Some(pc) = stack.pop() {
            if seen[pc] == generation {
                continue;
            }
            seen[pc] = generation;
            match self.program[pc] {
                Inst::Jump(target) => stack.push(target),
                Inst::Split(first, second) => {
                    stack.push(second);
                    stack.push(first);
                }
                Inst::AssertStart => {
                    if at == 0 {
                        stack.push(pc + 1);
                    }
                }
                Inst::AssertEnd => {
                    if at == end {
                        stack.push(pc + 1);
                    }
                }
                _ => list.push(pc),
            }
        }
    }
}

fn compile(node: &Node, program: &mut Vec<Inst>) -> Result<(), String> {
    if program.len() > MAX_PROGRAM {
        return Err(format!(
            "the pattern is too large once repetitions are expanded (over {MAX_PROGRAM} steps)"
        ));
    }
    match node {
        Node::Empty => {}
        Node::Char(c) => program.push(Inst::Char(*c)),
        Node::Any => program.push(Inst::Any),
        Node::Class(class) => program.push(Inst::Class(class.clone())),
        Node::Start => program.push(Inst::AssertStart),
        Node::End => program.push(Inst::AssertEnd),
        Node::Concat(nodes) => {
            for node in nodes {
                compile(node, program)?;
            }
        }
        Node::Alternation(branches) => {
            let mut jumps = Vec::new();
            for (index, branch) in branches.iter().enumerate() {
                if index + 1 < branches.len() {
                    let split = program.len();
                    program.push(Inst::Split(split + 1, 0));
                    compile(branch, program)?;
                    jumps.push(program.len());
                    program.push(Inst::Jump(0));
                    let after = program.len();
                    program[split] = Inst::Split(split + 1, after);
                } else {
                    compile(branch, program)?;
                }
            }
            let end = program.len();
            for jump in jumps {
                program[jump] = Inst::Jump(end);
            }
        }
        Node::Repeat { node, min, max } => {
            for _ in 0..*min {
                compile(node, program)?;
            }
            match max {
                None => {
                    let split = program.len();
                    program.push(Inst::Split(split + 1, 0));
                    compile(node, program)?;
                    program.push(Inst::Jump(split));
                    let after = program.len();
                    program[split] = Inst::Split(split + 1, after);
                }
                Some(max) => {
                    for _ in *min..*max {
                        let split = program.len();
                        program.push(Inst::Split(split + 1, 0));
                        compile(node, program)?;
                        let after = program.len();
                        program[split] = Inst::Split(split + 1, after);
                    }
                }
            }
        }
    }
    if program.len() > MAX_PROGRAM {
        return Err(format!(
            "the pattern is too large once repetitions are expanded (over {MAX_PROGRAM} steps)"
        ));
    }
    Ok(())
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.text[self.pos..].chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn error(&self, message: &str) -> PatternError {
        PatternError {
            offset: self.pos,
            message: message.to_owned(),
        }
    }

    fn alternation(&mut self) -> Result<Node, PatternError> {
        let mut branches = vec![self.concat()?];
        while self.peek() == Some('|') {
            self.bump();
            branches.push(self.concat()?);
        }
        Ok(if branches.len() == 1 {
            branches.remove(0)
        } else {
            Node::Alternation(branches)
        })
    }

    fn concat(&mut self) -> Result<Node, PatternError> {
        let mut nodes = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            let atom = self.atom()?;
            nodes.push(self.quantified(atom)?);
        }
        Ok(match nodes.len() {
            0 => Node::Empty,
            1 => nodes.remove(0),
            _ => Node::Concat(nodes),
        })
    }

    fn atom(&mut self) -> Result<Node, PatternError> {
        let start = self.pos;
        let Some(c) = self.bump() else {
            return Err(self.error("expected an expression"));
        };
        Ok(match c {
            '.' => Node::Any,
            '^' => Node::Start,
            '$' => Node::End,
            '(' => {
                if self.text[self.pos..].starts_with("?:") {
                    self.pos += 2;
                } else if self.peek() == Some('?') {
                    return Err(self.error("only (?: … ) groups are supported"));
                }
                let inner = self.alternation()?;
                if self.bump() != Some(')') {
                    return Err(PatternError {
                        offset: start,
                        message: "unclosed group".to_owned(),
                    });
                }
                inner
            }
            '[' => Node::Class(self.class(start)?),
            '\\' => self.escape()?,
            '*' | '+' | '?' | '{' => {
                self.pos = start;
                return Err(self.error(&format!("nothing to repeat before {c:?}")));
            }
            other => Node::Char(other),
        })
    }

    fn escape(&mut self) -> Result<Node, PatternError> {
        let at = self.pos;
        let Some(c) = self.bump() else {
            return Err(self.error("trailing backslash"));
        };
        let shorthand = |kind, negated| {
            Node::Class(Class {
                negated: false,
                items: vec![ClassItem::Shorthand(kind, negated)],
            })
        };
        Ok(match c {
            'd' => shorthand(Shorthand::Digit, false),
            'D' => shorthand(Shorthand::Digit, true),
            'w' => shorthand(Shorthand::Word, false),
            'W' => shorthand(Shorthand::Word, true),
            's' => shorthand(Shorthand::Space, false),
            'S' => shorthand(Shorthand::Space, true),
            't' => Node::Char('\t'),
            'n' => Node::Char('\n'),
            'r' => Node::Char('\r'),
            'f' => Node::Char('\x0C'),
            c if c.is_ascii_alphanumeric() => {
                return Err(PatternError {
                    offset: at,
                    message: format!("unsupported escape \\{c}"),
                });
            }
            c => Node::Char(c),
        })
    }

    fn class(&mut self, start: usize) -> Result<Class, PatternError> {
        let mut class = Class {
            negated: false,
            items: Vec::new(),
        };
        if self.peek() == Some('^') {
            self.bump();
            class.negated = true;
        }
        let mut first = true;
        loop {
            let Some(c) = self.bump() else {
                return Err(PatternError {
                    offset: start,
                    message: "unclosed character class".to_owned(),
                });
            };
            if c == ']' && !first {
                break;
            }
            first = false;
            let low = if c == '\\' {
                match self.escape()? {
                    Node::Char(literal) => literal,
                    Node::Class(inner) => {
                        class.items.extend(inner.items);
                        continue;
                    }
                    _ => return Err(self.error("unsupported escape in a class")),
                }
            } else {
                c
            };
            let is_range = self.peek() == Some('-') && !self.text[self.pos + 1..].starts_with(']');
            if is_range && self.pos + 1 < self.text.len() {
                self.bump();
                let Some(mut high) = self.bump() else {
                    return Err(self.error("unclosed character class"));
                };
                if high == '\\' {
                    match self.escape()? {
                        Node::Char(literal) => high = literal,
                        _ => return Err(self.error("a range must end with a character")),
                    }
                }
                if high < low {
                    return Err(self.error(&format!("range {low}-{high} is out of order")));
                }
                class.items.push(ClassItem::Range(low, high));
            } else {
                class.items.push(ClassItem::Range(low, low));
            }
        }
        Ok(class)
    }

    fn quantified(&mut self, atom: Node) -> Result<Node, PatternError> {
        let (min, max) = match self.peek() {
            Some('*') => (0, None),
            Some('+') => (1, None),
            Some('?') => (0, Some(1)),
            Some('{') => {
                let start = self.pos;
                let Some((min, max, length)) = parse_braces(&self.text[self.pos..]) else {
                    return Err(self.error("expected {n}, {n,} or {n,m}"));
                };
                if max.is_some_and(|max| max < min) {
                    return Err(self.error("{n,m} with m < n"));
                }
                self.pos = start + length - 1;
                (min, max)
            }
            _ => return Ok(atom),
        };
        self.bump();
        if self.peek() == Some('?') {
            self.bump();
        }
        if matches!(atom, Node::Start | Node::End) {
            return Err(self.error("an anchor cannot be repeated"));
        }
        let repeated = Node::Repeat {
            node: Box::new(atom),
            min,
            max,
        };
        if matches!(self.peek(), Some('*' | '+' | '{')) {
            return Err(self.error("a quantifier cannot follow another one"));
        }
        Ok(repeated)
    }
}

/// Reads `{n}`, `{n,}` or `{n,m}` at the start of `text`: (min, max, length in bytes).
fn parse_braces(text: &str) -> Option<(u32, Option<u32>, usize)> {
    let close = text.find('}')?;
    let body = &text[1..close];
    let number = |part: &str| -> Option<u32> {
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        part.parse().ok().filter(|n| *n <= 1000)
    };
    let (min, max) = match body.split_once(',') {
        None => {
            let n = number(body)?;
            (n, Some(n))
        }
        Some((low, "")) => (number(low)?, None),
        Some((low, high)) => (number(low)?, Some(number(high)?)),
    };
    Some((min, max, close + 1))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn matches_whole_strings_like_java() {
        let cases = [
            ("t2.*", "t2.micro", true),
            ("t2.*", "xt2.micro", false),
            ("g2.*", "g2.2xlarge", true),
            ("m5\\.large", "m5.large", true),
            ("m5\\.large", "m5xlarge", false),
            ("us-east-1[ab]", "us-east-1b", true),
            ("us-east-1[ab]", "us-east-1c", false),
            ("us-east-1[^ab]", "us-east-1c", true),
            ("(c5|m5)\\.(x|2x)?large", "m5.2xlarge", true),
            ("(?:c5|m5)\\.(x|2x)?large", "c5.large", true),
            ("(c5|m5)\\.(x|2x)?large", "c5.4xlarge", false),
            ("\\d+", "1234", true),
            ("\\d+", "12a4", false),
            ("\\w{2,3}", "ab_", true),
            ("\\w{2,3}", "abcd", false),
            ("a{2}", "aa", true),
            ("a{2,}", "aaaaa", true),
            ("^i-[0-9a-f]+$", "i-0abc", true),
            ("a|", "", true),
            ("", "", true),
            ("", "x", false),
            ("[-a]+", "-a-", true),
            ("[a-]+", "a-", true),
            ("\\s\\S", " x", true),
            (".*?x", "aax", true),
            ("(a*)*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac", false),
        ];
        for (pattern, text, expected) in cases {
            let compiled = Pattern::new(pattern).unwrap();
            assert_eq!(compiled.matches(text), expected, "{pattern} on {text}");
        }
    }

    #[test]
    fn reports_where_a_pattern_is_wrong() {
        let cases = [
            ("(ab", 0, "unclosed group"),
            ("[ab", 0, "unclosed character class"),
            ("*a", 0, "nothing to repeat"),
            ("a\\q", 2, "unsupported escape"),
            ("a{3,1}", 1, "m < n"),
            ("(?i)a", 1, "only (?: … ) groups"),
            ("a**", 2, "cannot follow"),
            ("ab)", 2, "unexpected"),
            ("a{2000}", 1, "expected {n}"),
        ];
        for (pattern, offset, message) in cases {
            let error = Pattern::new(pattern).unwrap_err();
            assert_eq!(error.offset, offset, "{pattern}: {error}");
            assert!(error.message.contains(message), "{pattern}: {error}");
        }
    }

    #[test]
    fn refuses_patterns_that_expand_too_far() {
        let error = Pattern::new("(a{1000}){1000}").unwrap_err();
        assert!(error.message.contains("too large"), "{error}");
    }

    proptest! {
        #[test]
        fn never_panics(pattern in ".{0,20}", text in ".{0,20}") {
            if let Ok(compiled) = Pattern::new(&pattern) {
                let _ = compiled.matches(&text);
            }
        }

        #[test]
        fn literal_text_matches_itself(text in "[a-z0-9-]{0,20}") {
            prop_assert!(Pattern::new(&text).unwrap().matches(&text));
        }
    }
}
