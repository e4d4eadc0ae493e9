//! The Cluster Query Language (CQL) of `memberOf` constraints and `ListContainerInstances`
//! filters: a parser with precise errors, a canonical printer and an evaluator.
//!
//! Grammar (docs/ECS-MODEL.md §3.3), keywords and word operators case-insensitive:
//!
//! ```text
//! expr       := term { ("or" | "||") term }
//! term       := factor { ("and" | "&&") factor }
//! factor     := ("not" | "!") factor | "(" expr ")" | comparison
//! comparison := subject ("exists" | "!exists" | "not_exists")
//!             | subject binary_op value
//!             | subject ("in" | "!in" | "not_in") "[" value { "," value } "]"
//! subject    := agentConnected | agentVersion | ec2InstanceId | registeredAt
//!             | runningTasksCount | task:group | attribute:NAME
//! binary_op  := == | equals | != | not_equals | > | greater_than | >= | greater_than_equal
//!             | < | less_than | <= | less_than_equal | =~ | matches | !~ | not_matches
//! value      := bare-token | 'quoted text'
//! ```
//!
//! A bare value runs until whitespace or one of `( ) [ ] , '`; quote anything else. Quoted
//! values have no escapes. Precedence (MODEL, §3.3): `not` binds tighter than `and`, which
//! binds tighter than `or`.
//!
//! Rules chosen where ECS is silent (MODEL, each tested below):
//! - Subjects with documented operator lists (`agentConnected`, `agentVersion`,
//!   `ec2InstanceId`, `registeredAt`, `runningTasksCount`) reject other operators at parse
//!   time; `attribute:` and `task:group` accept every operator.
//! - Values are checked at parse time: `agentConnected` takes `true`/`false`,
//!   `runningTasksCount` an integer, `registeredAt` one of `2018-06-18T22:28:28+00:00`,
//!   `2018-06-18T22:28:28Z`, `2018-06-18T22:28:28`, `2018-06-18` (midnight UTC),
//!   `agentVersion` a dotted version (compared numerically part by part), `=~` a regular
//!   expression (see [`super::Pattern`], whole-string match).
//! - `!=`, `not_in` and `!~` are the negation of `==`, `in` and `=~`, so they hold for an
//!   instance that lacks the attribute; `==`, `in`, `=~` and the orderings are false for a
//!   missing attribute (or a flag attribute, which has no value).
//! - Ordering on attributes and `task:group`: numeric when both sides are numbers, otherwise
//!   byte-wise lexicographic.
//! - `task:group` is multi-valued (every group with a task on the instance): a positive
//!   operator holds when some group satisfies it; `exists` holds when the instance runs any
//!   task.
//!
//! [`Expr`]'s `Display` prints a canonical form (symbolic operators, `and`/`or`/`not(…)`,
//! compound operands of `and`/`or` parenthesised, values quoted only when needed), and
//! `parse(&expr.to_string()) == Ok(expr)` for every parsed expression.

use std::fmt;

use super::pattern::Pattern;
use crate::ecs::ContainerInstance;
use crate::time::Timestamp;

/// Longest `memberOf` expression ECS accepts.
pub const MAX_EXPRESSION_LENGTH: usize = 2000;

/// A CQL syntax or type error: where it is (byte offset) and what was expected there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CqlError {
    /// Byte offset in the expression where the problem starts.
    pub position: usize,
    /// What the parser expected at that position.
    pub expected: String,
    /// What it found (`end of expression` or the offending text, quoted).
    pub found: String,
}

impl fmt::Display for CqlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "at byte {}: expected {}, found {}",
            self.position, self.expected, self.found
        )
    }
}

impl std::error::Error for CqlError {}

/// What a comparison looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// `agentConnected`.
    AgentConnected,
    /// `agentVersion`.
    AgentVersion,
    /// `ec2InstanceId`.
    Ec2InstanceId,
    /// `registeredAt`.
    RegisteredAt,
    /// `runningTasksCount`.
    RunningTasksCount,
    /// `task:group`.
    TaskGroup,
    /// `attribute:NAME`.
    Attribute(String),
}

impl Subject {
    /// Whether the subject's value changes as tasks are placed (so it cannot be evaluated once
    /// per instance ahead of time).
    pub fn is_dynamic(&self) -> bool {
        matches!(self, Self::RunningTasksCount | Self::TaskGroup)
    }

    fn allows(&self, operator: Operator) -> bool {
        use Operator::*;
        match self {
            Self::AgentConnected | Self::Ec2InstanceId => {
                matches!(
                    operator,
                    Equal | NotEqual | In | NotIn | Matches | NotMatches
                )
            }
            Self::AgentVersion | Self::RegisteredAt | Self::RunningTasksCount => matches!(
                operator,
                Equal | NotEqual | Greater | GreaterOrEqual | Less | LessOrEqual
            ),
            Self::TaskGroup | Self::Attribute(_) => true,
        }
    }

    fn operator_list(&self) -> &'static str {
        match self {
            Self::AgentConnected | Self::Ec2InstanceId => "==, !=, in, not_in, =~, !~",
            Self::AgentVersion | Self::RegisteredAt | Self::RunningTasksCount => {
                "==, !=, >, >=, <, <="
            }
            Self::TaskGroup | Self::Attribute(_) => {
                "==, !=, >, >=, <, <=, =~, !~, exists, !exists, in, not_in"
            }
        }
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::AgentConnected => f.write_str("agentConnected"),
            Self::AgentVersion => f.write_str("agentVersion"),
            Self::Ec2InstanceId => f.write_str("ec2InstanceId"),
            Self::RegisteredAt => f.write_str("registeredAt"),
            Self::RunningTasksCount => f.write_str("runningTasksCount"),
            Self::TaskGroup => f.write_str("task:group"),
            Self::Attribute(name) => write!(f, "attribute:{name}"),
        }
    }
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    /// `==` / `equals`.
    Equal,
    /// `!=` / `not_equals`.
    NotEqual,
    /// `>` / `greater_than`.
    Greater,
    /// `>=` / `greater_than_equal`.
    GreaterOrEqual,
    /// `<` / `less_than`.
    Less,
    /// `<=` / `less_than_equal`.
    LessOrEqual,
    /// `=~` / `matches`.
    Matches,
    /// `!~` / `not_matches`.
    NotMatches,
    /// `exists`.
    Exists,
    /// `!exists` / `not_exists`.
    NotExists,
    /// `in`.
    In,
    /// `not_in` / `!in`.
    NotIn,
}

impl Operator {
    /// The canonical spelling.
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Equal => "==",
            Self::NotEqual => "!=",
            Self::Greater => ">",
            Self::GreaterOrEqual => ">=",
            Self::Less => "<",
            Self::LessOrEqual => "<=",
            Self::Matches => "=~",
            Self::NotMatches => "!~",
            Self::Exists => "exists",
            Self::NotExists => "!exists",
            Self::In => "in",
            Self::NotIn => "not_in",
        }
    }

    /// The positive operator this one negates, if it is a negation (`!=` → `==`).
    fn negation_of(self) -> Option<Self> {
        match self {
            Self::NotEqual => Some(Self::Equal),
            Self::NotIn => Some(Self::In),
            Self::NotMatches => Some(Self::Matches),
            Self::NotExists => Some(Self::Exists),
            _ => None,
        }
    }

    fn arity(self) -> Arity {
        match self {
            Self::Exists | Self::NotExists => Arity::Unary,
            Self::In | Self::NotIn => Arity::List,
            _ => Arity::Binary,
        }
    }
}

enum Arity {
    Unary,
    Binary,
    List,
}

/// A value on the right of an operator, as written, with its typed reading.
#[derive(Debug, Clone)]
pub struct Value {
    text: String,
    typed: Typed,
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Value {
    /// The value as written (without quotes).
    pub fn text(&self) -> &str {
        &self.text
    }
}

#[derive(Debug, Clone)]
enum Typed {
    Text { number: Option<f64> },
    Integer(i64),
    Version(Vec<u64>),
    Time(Timestamp),
    Regex(Pattern),
}

/// The right-hand side of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// `exists` / `!exists` take none.
    None,
    /// One value.
    Value(Value),
    /// `in` / `not_in` take a list.
    List(Vec<Value>),
}

/// `subject operator operand`.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// What is compared.
    pub subject: Subject,
    /// How.
    pub operator: Operator,
    /// With what.
    pub operand: Operand,
}

/// A parsed CQL expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// All must hold (two or more operands).
    And(Vec<Expr>),
    /// One must hold (two or more operands).
    Or(Vec<Expr>),
    /// Negation.
    Not(Box<Expr>),
    /// A single comparison.
    Compare(Comparison),
}

/// What the evaluator needs to know about a container instance.
pub trait InstanceFacts {
    /// `None` when the attribute is absent, `Some(None)` for a flag without a value.
    fn attribute(&self, name: &str) -> Option<Option<&str>>;
    /// EC2 instance id.
    fn ec2_instance_id(&self) -> Option<&str>;
    /// Whether the agent is connected.
    fn agent_connected(&self) -> bool;
    /// Agent version string.
    fn agent_version(&self) -> Option<&str>;
    /// Registration time.
    fn registered_at(&self) -> Option<Timestamp>;
    /// Tasks with desired status RUNNING on the instance.
    fn running_tasks_count(&self) -> i64;
    /// Whether some task group with a task on the instance satisfies `test`.
    fn any_task_group(&self, test: &mut dyn FnMut(&str) -> bool) -> bool;
}

/// A [`ContainerInstance`] on its own: its reported `runningTasksCount` and no task groups.
impl InstanceFacts for ContainerInstance {
    fn attribute(&self, name: &str) -> Option<Option<&str>> {
        self.attributes
            .iter()
            .find(|a| a.name == name)
            .map(|a| a.value.as_deref())
    }

    fn ec2_instance_id(&self) -> Option<&str> {
        self.ec2_instance_id.as_deref()
    }

    fn agent_connected(&self) -> bool {
        self.agent_connected
    }

    fn agent_version(&self) -> Option<&str> {
        self.version_info.agent_version.as_deref()
    }

    fn registered_at(&self) -> Option<Timestamp> {
        self.registered_at
    }

    fn running_tasks_count(&self) -> i64 {
        self.running_tasks_count
    }

    fn any_task_group(&self, _test: &mut dyn FnMut(&str) -> bool) -> bool {
        false
    }
}

impl Expr {
    /// Parses an expression (at most [`MAX_EXPRESSION_LENGTH`] characters).
    pub fn parse(text: &str) -> Result<Self, CqlError> {
        if let Some((position, _)) = text.char_indices().nth(MAX_EXPRESSION_LENGTH) {
            return Err(CqlError {
                position,
                expected: format!("at most {MAX_EXPRESSION_LENGTH} characters"),
                found: format!("{} characters", text.chars().count()),
            });
        }
        let mut parser = Parser { text, pos: 0 };
        parser.skip_ws();
        if parser.at_end() {
            return Err(parser.error("an expression"));
        }
        let expr = parser.or_expr(0)?;
        parser.skip_ws();
        if !parser.at_end() {
            return Err(parser.error("'and', 'or' or the end of the expression"));
        }
        Ok(expr)
    }

    /// Whether evaluation depends on `runningTasksCount` or `task:group`, which change as
    /// tasks are placed.
    pub fn is_dynamic(&self) -> bool {
        match self {
            Self::And(items) | Self::Or(items) => items.iter().any(Self::is_dynamic),
            Self::Not(inner) => inner.is_dynamic(),
            Self::Compare(comparison) => comparison.subject.is_dynamic(),
        }
    }

    /// Whether `instance` satisfies the expression.
    pub fn evaluate(&self, instance: &dyn InstanceFacts) -> bool {
        match self {
            Self::And(items) => items.iter().all(|item| item.evaluate(instance)),
            Self::Or(items) => items.iter().any(|item| item.evaluate(instance)),
            Self::Not(inner) => !inner.evaluate(instance),
            Self::Compare(comparison) => comparison.evaluate(instance),
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::And(items) | Self::Or(items) => {
                let joiner = if matches!(self, Self::And(_)) {
                    " and "
                } else {
                    " or "
                };
                for (index, item) in items.iter().enumerate() {
                    if index > 0 {
                        f.write_str(joiner)?;
                    }
                    // Parentheses only where the parse needed them (an `or` inside an `and`,
                    // or a group of the same kind), so the printed form nests no deeper than
                    // the text it came from and parses again under the same depth limit.
                    let grouped = matches!(
                        (self, item),
                        (Self::And(_), Self::And(_) | Self::Or(_)) | (Self::Or(_), Self::Or(_))
                    );
                    if grouped {
                        write!(f, "({item})")?;
                    } else {
                        write!(f, "{item}")?;
                    }
                }
                Ok(())
            }
            Self::Not(inner) if matches!(**inner, Self::And(_) | Self::Or(_)) => {
                write!(f, "not ({inner})")
            }
            Self::Not(inner) => write!(f, "not {inner}"),
            Self::Compare(comparison) => write!(f, "{comparison}"),
        }
    }
}

impl fmt::Display for Comparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.subject, self.operator.symbol())?;
        match &self.operand {
            Operand::None => Ok(()),
            Operand::Value(value) => write!(f, " {}", Printed(value)),
            Operand::List(values) => {
                f.write_str(" [")?;
                for (index, value) in values.iter().enumerate() {
                    if index > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{}", Printed(value))?;
                }
                f.write_str("]")
            }
        }
    }
}

struct Printed<'a>(&'a Value);

impl fmt::Display for Printed<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = &self.0.text;
        if !text.is_empty() && text.chars().all(is_bare_value_char) {
            f.write_str(text)
        } else {
            write!(f, "'{text}'")
        }
    }
}

fn is_bare_value_char(c: char) -> bool {
    !c.is_whitespace() && !matches!(c, '(' | ')' | '[' | ']' | ',' | '\'')
}

fn is_subject_char(c: char) -> bool {
    is_bare_value_char(c) && !matches!(c, '=' | '!' | '<' | '>' | '~' | '&' | '|')
}

/// Whether `name` is a valid attribute name (1–128 letters, digits, `-`, `_`, `/`, `\`, `.`).
pub fn is_valid_attribute_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 128
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/' | '\\' | '.'))
}

impl Comparison {
    fn evaluate(&self, instance: &dyn InstanceFacts) -> bool {
        if let Some(positive) = self.operator.negation_of() {
            return !self.holds(positive, instance);
        }
        self.holds(self.operator, instance)
    }

    /// Evaluates a non-negated operator.
    fn holds(&self, operator: Operator, instance: &dyn InstanceFacts) -> bool {
        match &self.subject {
            Subject::Attribute(name) => match instance.attribute(name) {
                None => false,
                Some(_) if operator == Operator::Exists => true,
                Some(None) => false,
                Some(Some(text)) => self.text_holds(operator, text),
            },
            Subject::Ec2InstanceId => instance
                .ec2_instance_id()
                .is_some_and(|id| self.text_holds(operator, id)),
            Subject::AgentConnected => {
                let connected = instance.agent_connected();
                self.text_holds(operator, if connected { "true" } else { "false" })
            }
            Subject::TaskGroup => {
                if operator == Operator::Exists {
                    return instance.any_task_group(&mut |_| true);
                }
                instance.any_task_group(&mut |group| self.text_holds(operator, group))
            }
            Subject::AgentVersion => instance.agent_version().is_some_and(|version| {
                let actual = parse_version(version).unwrap_or_default();
                self.ordered(operator, |value| match &value.typed {
                    Typed::Version(expected) => actual.cmp(expected),
                    _ => std::cmp::Ordering::Less,
                })
            }),
            Subject::RegisteredAt => instance.registered_at().is_some_and(|at| {
                self.ordered(operator, |value| match &value.typed {
                    Typed::Time(expected) => at.cmp(expected),
                    _ => std::cmp::Ordering::Less,
                })
            }),
            Subject::RunningTasksCount => {
                let count = instance.running_tasks_count();
                self.ordered(operator, |value| match &value.typed {
                    Typed::Integer(expected) => count.cmp(expected),
                    _ => std::cmp::Ordering::Less,
                })
            }
        }
    }

    /// Applies an ordering-style operator given how the actual value compares to a value.
    fn ordered(&self, operator: Operator, compare: impl Fn(&Value) -> std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        let Operand::Value(value) = &self.operand else {
            return false;
        };
        let ordering = compare(value);
        match operator {
            Operator::Equal => ordering == Equal,
            Operator::Greater => ordering == Greater,
            Operator::GreaterOrEqual => ordering != Less,
            Operator::Less => ordering == Less,
            Operator::LessOrEqual => ordering != Greater,
            _ => false,
        }
    }

    fn text_holds(&self, operator: Operator, actual: &str) -> bool {
        match (&self.operand, operator) {
            (Operand::List(values), Operator::In) => values.iter().any(|v| v.text == actual),
            (Operand::Value(value), Operator::Matches) => match &value.typed {
                Typed::Regex(pattern) => pattern.matches(actual),
                _ => false,
            },
            (Operand::Value(_), _) => self.ordered(operator, |v| text_cmp(actual, v)),
            _ => false,
        }
    }
}

fn text_cmp(actual: &str, value: &Value) -> std::cmp::Ordering {
    if let Typed::Text {
        number: Some(expected),
    } = value.typed
        && let Ok(number) = actual.trim().parse::<f64>()
    {
        return number.total_cmp(&expected);
    }
    actual.cmp(&value.text)
}

/// Parses `1.14.5`, `v1.14.5`, `1.14.5-beta`: numeric parts, suffixes ignored.
fn parse_version(text: &str) -> Option<Vec<u64>> {
    let text = text.strip_prefix(['v', 'V']).unwrap_or(text);
    let core = text.split(['-', '+', ' ']).next().unwrap_or("");
    if core.is_empty() {
        return None;
    }
    core.split('.').map(|part| part.parse().ok()).collect()
}

/// Reads the `registeredAt` formats of §3.4.
fn parse_registered_at(text: &str) -> Option<Timestamp> {
    if text.len() == 10 {
        return Timestamp::parse_rfc3339(&format!("{text}T00:00:00Z")).ok();
    }
    Timestamp::parse_rfc3339(text).ok()
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
}

/// Deepest nesting of parentheses and `not`s accepted (keeps recursion bounded).
const MAX_DEPTH: usize = 100;

impl Parser<'_> {
    fn rest(&self) -> &str {
        &self.text[self.pos..]
    }

    fn at_end(&self) -> bool {
        self.pos >= self.text.len()
    }

    fn skip_ws(&mut self) {
        let trimmed = self.rest().trim_start();
        self.pos = self.text.len() - trimmed.len();
    }

    fn found(&self) -> String {
        let rest = self.rest().trim_start();
        if rest.is_empty() {
            return "end of expression".to_owned();
        }
        let token: String = rest
            .chars()
            .take_while(|c| !c.is_whitespace())
            .take(20)
            .collect();
        let token = if token.is_empty() {
            rest.chars().take(1).collect()
        } else {
            token
        };
        format!("'{token}'")
    }

    fn error(&self, expected: &str) -> CqlError {
        CqlError {
            position: self.pos,
            expected: expected.to_owned(),
            found: self.found(),
        }
    }

    /// Consumes a case-insensitive keyword that ends at a word boundary.
    fn keyword(&mut self, word: &str) -> bool {
        let rest = self.rest();
        let Some(head) = rest.get(..word.len()) else {
            return false;
        };
        if !head.eq_ignore_ascii_case(word) {
            return false;
        }
        let boundary = rest[word.len()..]
            .chars()
            .next()
            .is_none_or(|c| c.is_whitespace() || matches!(c, '(' | ')' | '[' | '\''));
        if boundary {
            self.pos += word.len();
        }
        boundary
    }

    fn symbol(&mut self, symbol: &str) -> bool {
        if self.rest().starts_with(symbol) {
            self.pos += symbol.len();
            true
        } else {
            false
        }
    }

    fn or_expr(&mut self, depth: usize) -> Result<Expr, CqlError> {
        let mut items = vec![self.and_expr(depth)?];
        loop {
            self.skip_ws();
            if self.keyword("or") || self.symbol("||") {
                items.push(self.and_expr(depth)?);
            } else {
                break;
            }
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Expr::Or(items)
        })
    }

    fn and_expr(&mut self, depth: usize) -> Result<Expr, CqlError> {
        let mut items = vec![self.factor(depth)?];
        loop {
            self.skip_ws();
            if self.keyword("and") || self.symbol("&&") {
                items.push(self.factor(depth)?);
            } else {
                break;
            }
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Expr::And(items)
        })
    }

    fn factor(&mut self, depth: usize) -> Result<Expr, CqlError> {
        self.skip_ws();
        if depth > MAX_DEPTH {
            return Err(self.error(&format!("at most {MAX_DEPTH} nested groups")));
        }
        if self.symbol("(") {
            let inner = self.or_expr(depth + 1)?;
            self.skip_ws();
            if !self.symbol(")") {
                return Err(self.error("')' or 'and' or 'or'"));
            }
            return Ok(inner);
        }
        if self.keyword("not") || self.symbol("!") {
            return Ok(Expr::Not(Box::new(self.factor(depth + 1)?)));
        }
        self.comparison().map(Expr::Compare)
    }

    fn comparison(&mut self) -> Result<Comparison, CqlError> {
        let start = self.pos;
        let word_len = self
            .rest()
            .char_indices()
            .find(|(_, c)| !is_subject_char(*c))
            .map_or(self.rest().len(), |(index, _)| index);
        let word = &self.rest()[..word_len];
        const SUBJECTS: &str = "a subject (attribute:NAME, agentConnected, agentVersion, \
            ec2InstanceId, registeredAt, runningTasksCount, task:group), '(' or 'not'";
        let subject = match word {
            "agentConnected" => Subject::AgentConnected,
            "agentVersion" => Subject::AgentVersion,
            "ec2InstanceId" => Subject::Ec2InstanceId,
            "registeredAt" => Subject::RegisteredAt,
            "runningTasksCount" => Subject::RunningTasksCount,
            "task:group" => Subject::TaskGroup,
            _ => match word.strip_prefix("attribute:") {
                Some(name) => {
                    if !is_valid_attribute_name(name) {
                        self.pos = start + "attribute:".len();
                        return Err(self.error(
                            "an attribute name (1-128 letters, digits, '-', '_', '/', '\\', '.')",
                        ));
                    }
                    Subject::Attribute(name.to_owned())
                }
                None => return Err(self.error(SUBJECTS)),
            },
        };
        self.pos += word_len;
        self.skip_ws();
        let operator_at = self.pos;
        let operator = self.operator()?;
        if !subject.allows(operator) {
            self.pos = operator_at;
            return Err(CqlError {
                position: operator_at,
                expected: format!(
                    "an operator {subject} supports ({})",
                    subject.operator_list()
                ),
                found: format!("'{}'", operator.symbol()),
            });
        }
        let operand = match operator.arity() {
            Arity::Unary => Operand::None,
            Arity::Binary => Operand::Value(self.value(&subject, operator)?),
            Arity::List => {
                self.skip_ws();
                if !self.symbol("[") {
                    return Err(self.error("'[' starting a list of values"));
                }
                let mut values = vec![self.value(&subject, operator)?];
                loop {
                    self.skip_ws();
                    if self.symbol(",") {
                        values.push(self.value(&subject, operator)?);
                    } else if self.symbol("]") {
                        break;
                    } else {
                        return Err(self.error("',' or ']'"));
                    }
                }
                Operand::List(values)
            }
        };
        Ok(Comparison {
            subject,
            operator,
            operand,
        })
    }

    fn operator(&mut self) -> Result<Operator, CqlError> {
        const SYMBOLS: [(&str, Operator); 10] = [
            ("==", Operator::Equal),
            ("!=", Operator::NotEqual),
            (">=", Operator::GreaterOrEqual),
            ("<=", Operator::LessOrEqual),
            ("=~", Operator::Matches),
            ("!~", Operator::NotMatches),
            (">", Operator::Greater),
            ("<", Operator::Less),
            ("!exists", Operator::NotExists),
            ("!in", Operator::NotIn),
        ];
        const WORDS: [(&str, Operator); 12] = [
            ("equals", Operator::Equal),
            ("not_equals", Operator::NotEqual),
            ("greater_than_equal", Operator::GreaterOrEqual),
            ("greater_than", Operator::Greater),
            ("less_than_equal", Operator::LessOrEqual),
            ("less_than", Operator::Less),
            ("matches", Operator::Matches),
            ("not_matches", Operator::NotMatches),
            ("exists", Operator::Exists),
            ("not_exists", Operator::NotExists),
            ("in", Operator::In),
            ("not_in", Operator::NotIn),
        ];
        for (word, operator) in WORDS {
            if self.keyword(word) {
                return Ok(operator);
            }
        }
        for (symbol, operator) in SYMBOLS {
            let word_like = symbol.starts_with('!') && symbol.len() > 2;
            if word_like {
                let mut probe = Parser {
                    text: self.text,
                    pos: self.pos + 1,
                };
                if self.rest().starts_with('!') && probe.keyword(&symbol[1..]) {
                    self.pos = probe.pos;
                    return Ok(operator);
                }
            } else if self.symbol(symbol) {
                return Ok(operator);
            }
        }
        Err(self.error("an operator (==, !=, >, >=, <, <=, =~, !~, exists, !exists, in, not_in)"))
    }

    fn value(&mut self, subject: &Subject, operator: Operator) -> Result<Value, CqlError> {
        self.skip_ws();
        let start = self.pos;
        let text = if self.symbol("'") {
            let Some(length) = self.rest().find('\'') else {
                self.pos = start;
                return Err(CqlError {
                    position: start,
                    expected: "a closing quote (')".to_owned(),
                    found: "end of expression".to_owned(),
                });
            };
            let text = self.rest()[..length].to_owned();
            self.pos += length + 1;
            text
        } else {
            let length = self
                .rest()
                .char_indices()
                .find(|(_, c)| !is_bare_value_char(*c))
                .map_or(self.rest().len(), |(index, _)| index);
            if length == 0 {
                return Err(self.error("a value"));
            }
            let text = self.rest()[..length].to_owned();
            self.pos += length;
            text
        };
        let invalid = |expected: String| CqlError {
            position: start,
            expected,
            found: format!("'{text}'"),
        };
        let typed = if matches!(operator, Operator::Matches | Operator::NotMatches) {
            Typed::Regex(Pattern::new(&text).map_err(|error| CqlError {
                position: start,
                expected: format!("a regular expression ({error})"),
                found: format!("'{text}'"),
            })?)
        } else {
            match subject {
                Subject::AgentConnected => match text.as_str() {
                    "true" | "false" => Typed::Text { number: None },
                    _ => return Err(invalid("true or false".to_owned())),
                },
                Subject::RunningTasksCount => match text.parse() {
                    Ok(count) => Typed::Integer(count),
                    Err(_) => return Err(invalid("a whole number".to_owned())),
                },
                Subject::AgentVersion => match parse_version(&text) {
                    Some(version) => Typed::Version(version),
                    None => return Err(invalid("a version such as 1.14.5".to_owned())),
                },
                Subject::RegisteredAt => match parse_registered_at(&text) {
                    Some(at) => Typed::Time(at),
                    None => {
                        return Err(invalid(
                            "a date such as 2018-06-18, 2018-06-18T22:28:28 or \
                             2018-06-18T22:28:28Z"
                                .to_owned(),
                        ));
                    }
                },
                Subject::Ec2InstanceId | Subject::TaskGroup | Subject::Attribute(_) => {
                    Typed::Text {
                        number: text.trim().parse::<f64>().ok().filter(|n| n.is_finite()),
                    }
                }
            }
        };
        Ok(Value { text, typed })
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::ecs::{Attribute, ContainerInstance, VersionInfo};

    struct Fake {
        attributes: Vec<(&'static str, Option<&'static str>)>,
        id: Option<&'static str>,
        connected: bool,
        version: Option<&'static str>,
        registered: Option<Timestamp>,
        running: i64,
        groups: Vec<&'static str>,
    }

    impl Default for Fake {
        fn default() -> Self {
            Self {
                attributes: vec![
                    ("ecs.instance-type", Some("t3.large")),
                    ("ecs.availability-zone", Some("us-east-1a")),
                    ("stack", Some("prod")),
                    ("weight", Some("10")),
                    ("flag", None),
                ],
                id: Some("i-abcd1234"),
                connected: true,
                version: Some("1.20.3"),
                registered: Some(Timestamp::from_secs(1_529_360_908)), // 2018-06-18T22:28:28Z
                running: 2,
                groups: vec!["service:web", "family:batch"],
            }
        }
    }

    impl InstanceFacts for Fake {
        fn attribute(&self, name: &str) -> Option<Option<&str>> {
            self.attributes
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| *v)
        }
        fn ec2_instance_id(&self) -> Option<&str> {
            self.id
        }
        fn agent_connected(&self) -> bool {
            self.connected
        }
        fn agent_version(&self) -> Option<&str> {
            self.version
        }
        fn registered_at(&self) -> Option<Timestamp> {
            self.registered
        }
        fn running_tasks_count(&self) -> i64 {
            self.running
        }
        fn any_task_group(&self, test: &mut dyn FnMut(&str) -> bool) -> bool {
            self.groups.iter().any(|g| test(g))
        }
    }

    fn eval(text: &str) -> bool {
        Expr::parse(text)
            .unwrap_or_else(|e| panic!("{text}: {e}"))
            .evaluate(&Fake::default())
    }

    #[test]
    fn evaluates_every_subject_and_operator() {
        let cases = [
            ("attribute:ecs.instance-type == t3.large", true),
            ("attribute:ecs.instance-type equals t3.micro", false),
            ("attribute:ecs.instance-type != t3.micro", true),
            ("attribute:ecs.instance-type not_equals t3.large", false),
            ("attribute:missing != x", true),
            ("attribute:missing == x", false),
            ("attribute:flag exists", true),
            ("attribute:flag == x", false),
            ("attribute:missing exists", false),
            ("attribute:missing !exists", true),
            ("attribute:missing not_exists", true),
            ("attribute:stack !exists", false),
            ("attribute:weight > 9", true),
            ("attribute:weight greater_than 10", false),
            ("attribute:weight >= 10", true),
            ("attribute:weight greater_than_equal 11", false),
            ("attribute:weight < 100", true),
            ("attribute:weight less_than 10", false),
            ("attribute:weight <= 10", true),
            ("attribute:weight less_than_equal 9.5", false),
            ("attribute:stack > abc", true),
            ("attribute:stack < prod", false),
            ("attribute:ecs.instance-type =~ t3.*", true),
            ("attribute:ecs.instance-type matches m5.*", false),
            ("attribute:ecs.instance-type !~ m5.*", true),
            ("attribute:ecs.instance-type not_matches t3\\..*", false),
            (
                "attribute:ecs.availability-zone in [us-east-1a, us-east-1b]",
                true,
            ),
            (
                "attribute:ecs.availability-zone not_in [us-east-1a, us-east-1b]",
                false,
            ),
            ("attribute:ecs.availability-zone !in [us-east-1c]", true),
            ("ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']", true),
            ("ec2InstanceId == i-wxyx7890", false),
            ("ec2InstanceId =~ 'i-[a-d]+\\d+'", true),
            ("ec2InstanceId !~ i-.*", false),
            ("ec2InstanceId not_in [i-1]", true),
            ("agentConnected == true", true),
            ("agentConnected != true", false),
            ("agentConnected in [false]", false),
            ("agentConnected =~ 't.*'", true),
            ("agentVersion < 1.14.5", false),
            ("agentVersion > 1.14.5", true),
            ("agentVersion >= 1.20.3", true),
            ("agentVersion <= 1.20.2", false),
            ("agentVersion == 1.20.3", true),
            ("agentVersion != 1.20.3", false),
            ("registeredAt < 2018-06-19", true),
            ("registeredAt > 2018-06-18T22:28:28+00:00", false),
            ("registeredAt == 2018-06-18T22:28:28Z", true),
            ("registeredAt >= 2018-06-18T22:28:28", true),
            ("registeredAt <= 2018-06-18", false),
            ("registeredAt != 2018-02-13", true),
            ("runningTasksCount == 2", true),
            ("runningTasksCount != 2", false),
            ("runningTasksCount > 1", true),
            ("runningTasksCount >= 3", false),
            ("runningTasksCount < 3", true),
            ("runningTasksCount <= 1", false),
            ("task:group == service:web", true),
            ("task:group == databases", false),
            ("not(task:group == database)", true),
            ("task:group != service:web", false),
            ("task:group in [databases, family:batch]", true),
            ("task:group =~ service:.*", true),
            ("task:group exists", true),
            ("task:group !exists", false),
        ];
        for (text, expected) in cases {
            assert_eq!(eval(text), expected, "{text}");
        }
    }

    #[test]
    fn combines_with_and_or_not_and_parentheses() {
        let cases = [
            (
                "attribute:ecs.instance-type =~ t3.* and attribute:ecs.availability-zone != us-east-1d",
                true,
            ),
            ("attribute:stack == dev or attribute:stack == prod", true),
            ("attribute:stack == dev || attribute:stack == prod", true),
            ("attribute:stack == prod && runningTasksCount > 5", false),
            (
                "attribute:stack == dev or attribute:stack == prod and runningTasksCount > 5",
                false,
            ),
            (
                "(attribute:stack == dev or attribute:stack == prod) and runningTasksCount < 5",
                true,
            ),
            (
                "not attribute:stack == prod or agentConnected == true",
                true,
            ),
            ("!(attribute:stack == prod)", false),
            (
                "NOT (attribute:stack == prod) OR attribute:weight == 10",
                true,
            ),
            ("((attribute:stack == prod))", true),
        ];
        for (text, expected) in cases {
            assert_eq!(eval(text), expected, "{text}");
        }
    }

    #[test]
    fn worked_example_3_6_1_filters_instances() {
        let expr = Expr::parse(
            "attribute:ecs.instance-type =~ t3.* and not(attribute:ecs.availability-zone == us-east-1c)",
        )
        .unwrap();
        let instance = |instance_type: &str, zone: &str| ContainerInstance {
            attributes: vec![
                Attribute::new("ecs.instance-type", instance_type),
                Attribute::new("ecs.availability-zone", zone),
            ],
            ..serde_json::from_str(r#"{"containerInstanceArn": "a"}"#).unwrap()
        };
        assert!(expr.evaluate(&instance("t3.large", "us-east-1a")));
        assert!(!expr.evaluate(&instance("t3.micro", "us-east-1c")));
        assert!(!expr.evaluate(&instance("m5.large", "us-east-1a")));
    }

    #[test]
    fn a_container_instance_answers_for_itself() {
        let mut instance: ContainerInstance =
            serde_json::from_str(r#"{"containerInstanceArn": "a", "ec2InstanceId": "i-1"}"#)
                .unwrap();
        instance.version_info = VersionInfo {
            agent_version: Some("1.82.0".to_owned()),
            ..VersionInfo::default()
        };
        instance.running_tasks_count = 3;
        let holds = |text: &str| Expr::parse(text).unwrap().evaluate(&instance);
        assert!(holds("agentVersion >= 1.14.5 and ec2InstanceId == i-1"));
        assert!(holds("runningTasksCount == 3 and task:group !exists"));
        assert!(!holds("registeredAt < 2030-01-01"));
    }

    #[test]
    fn reports_the_position_and_what_was_expected() {
        let cases = [
            ("", 0, "an expression", "end of expression"),
            ("   ", 3, "an expression", "end of expression"),
            ("instanceType == t2.small", 0, "a subject", "'instanceType'"),
            ("attribute: == x", 10, "an attribute name", "'=='"),
            ("attribute:a$b == x", 10, "an attribute name", "'a$b'"),
            ("attribute:stack", 15, "an operator", "end of expression"),
            ("attribute:stack ~= x", 16, "an operator", "'~='"),
            ("attribute:stack ==", 18, "a value", "end of expression"),
            (
                "attribute:stack == 'abc",
                19,
                "a closing quote",
                "end of expression",
            ),
            ("attribute:stack in a", 19, "'['", "'a'"),
            ("attribute:stack in [a b]", 22, "',' or ']'", "'b]'"),
            ("attribute:stack in [a,", 22, "a value", "end of expression"),
            ("(attribute:stack == a", 21, "')'", "end of expression"),
            ("attribute:stack == a b", 21, "'and', 'or'", "'b'"),
            (
                "agentVersion in [1.2]",
                13,
                "an operator agentVersion supports",
                "'in'",
            ),
            ("agentVersion == abc", 16, "a version", "'abc'"),
            ("runningTasksCount > many", 20, "a whole number", "'many'"),
            ("agentConnected == yes", 18, "true or false", "'yes'"),
            ("registeredAt < yesterday", 15, "a date", "'yesterday'"),
            (
                "registeredAt exists",
                13,
                "an operator registeredAt supports",
                "'exists'",
            ),
            (
                "ec2InstanceId > i-1",
                14,
                "an operator ec2InstanceId supports",
                "'>'",
            ),
            (
                "attribute:t =~ '(a'",
                15,
                "a regular expression (unclosed group",
                "'(a'",
            ),
            ("attribute:a == b and", 20, "a subject", "end of expression"),
            ("not", 3, "a subject", "end of expression"),
        ];
        for (text, position, expected, found) in cases {
            let error = Expr::parse(text).unwrap_err();
            assert_eq!(error.position, position, "{text}: {error}");
            assert!(error.expected.contains(expected), "{text}: {error}");
            assert_eq!(error.found, found, "{text}: {error}");
        }
    }

    #[test]
    fn refuses_overlong_expressions_counting_characters() {
        let long = format!("attribute:a == {}", "x".repeat(MAX_EXPRESSION_LENGTH));
        let error = Expr::parse(&long).unwrap_err();
        assert!(error.expected.contains("at most 2000"), "{error}");
        let prefix = "attribute:a == ";
        let fits = format!(
            "{prefix}{}",
            "é".repeat(MAX_EXPRESSION_LENGTH - prefix.len())
        );
        assert!(
            fits.len() > MAX_EXPRESSION_LENGTH,
            "more bytes than characters"
        );
        assert!(
            Expr::parse(&fits).is_ok(),
            "2,000 characters fit, whatever their bytes"
        );
    }

    /// Found by `cargo fuzz` (fuzz/fuzz_targets/cql.rs): the printed form of an expression
    /// near the depth limit nested deeper than its text and no longer parsed.
    #[test]
    fn printing_keeps_the_nesting_depth_so_the_printed_form_parses_again() {
        for depth in [MAX_DEPTH - 1, MAX_DEPTH] {
            let nots = format!("{}attribute:a == b", "not ".repeat(depth));
            let groups = format!(
                "{}attribute:a == b or attribute:c == d and attribute:e == f{}",
                "(".repeat(depth),
                ")".repeat(depth)
            );
            for text in [nots, groups] {
                let parsed = Expr::parse(&text).unwrap_or_else(|e| panic!("{depth}: {e}"));
                assert_eq!(Expr::parse(&parsed.to_string()), Ok(parsed), "{depth}");
            }
        }
    }

    #[test]
    fn prints_a_canonical_form() {
        let cases = [
            ("attribute:a equals b", "attribute:a == b"),
            ("attribute:a   not_exists", "attribute:a !exists"),
            ("attribute:a !in [x,'y z']", "attribute:a not_in [x, 'y z']"),
            ("not attribute:a == b", "not attribute:a == b"),
            (
                "!(attribute:a == b and attribute:c == d)",
                "not (attribute:a == b and attribute:c == d)",
            ),
            ("not not(attribute:a exists)", "not not attribute:a exists"),
            (
                "(attribute:a == b or attribute:c == d) && attribute:e == f",
                "(attribute:a == b or attribute:c == d) and attribute:e == f",
            ),
            (
                "attribute:a == b or attribute:c == d and attribute:e == f",
                "attribute:a == b or attribute:c == d and attribute:e == f",
            ),
            (
                "(attribute:a == b or attribute:c == d) or attribute:e == f",
                "(attribute:a == b or attribute:c == d) or attribute:e == f",
            ),
            ("ec2InstanceId in ['i-1']", "ec2InstanceId in [i-1]"),
            ("attribute:a == ''", "attribute:a == ''"),
        ];
        for (text, canonical) in cases {
            let expr = Expr::parse(text).unwrap();
            assert_eq!(expr.to_string(), canonical, "{text}");
            assert_eq!(Expr::parse(&expr.to_string()), Ok(expr), "{text}");
        }
    }

    fn arb_value() -> impl Strategy<Value = String> {
        prop_oneof!["[a-z0-9.:-]{1,8}", "[a-z ,()]{0,6}"]
    }

    fn arb_comparison() -> impl Strategy<Value = String> {
        let subject = prop_oneof![
            Just("attribute:ecs.instance-type".to_owned()),
            Just("attribute:stack".to_owned()),
            Just("task:group".to_owned()),
            Just("attribute:ecs.availability-zone".to_owned()),
        ];
        let operator = prop_oneof![
            Just("=="),
            Just("!="),
            Just("in"),
            Just("not_in"),
            Just("exists"),
            Just("=~"),
        ];
        (subject, operator, prop::collection::vec(arb_value(), 1..3)).prop_map(
            |(subject, operator, values)| {
                let quoted: Vec<String> = values.iter().map(|v| format!("'{v}'")).collect();
                match operator {
                    "exists" => format!("{subject} exists"),
                    "in" | "not_in" => format!("{subject} {operator} [{}]", quoted.join(",")),
                    "=~" => format!("{subject} =~ '[a-z]*'"),
                    _ => format!("{subject} {operator} {}", quoted[0]),
                }
            },
        )
    }

    fn arb_expression() -> impl Strategy<Value = String> {
        arb_comparison().prop_recursive(4, 24, 3, |inner| {
            prop_oneof![
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} and {b}")),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}) || {b}")),
                inner.clone().prop_map(|a| format!("not ({a})")),
                inner.prop_map(|a| format!("!{a}")),
            ]
        })
    }

    proptest! {
        #[test]
        fn printing_round_trips(text in arb_expression()) {
            let expr = Expr::parse(&text).unwrap();
            let printed = expr.to_string();
            prop_assert_eq!(Expr::parse(&printed), Ok(expr.clone()));
            prop_assert_eq!(expr.evaluate(&Fake::default()),
                Expr::parse(&printed).unwrap().evaluate(&Fake::default()));
        }

        #[test]
        fn parsing_never_panics(text in ".{0,60}") {
            let _ = Expr::parse(&text);
        }

        #[test]
        fn parsing_cql_like_noise_never_panics(
            text in "[a-z:!=<>~()\\[\\], '&|]{0,40}"
        ) {
            if let Ok(expr) = Expr::parse(&text) {
                prop_assert_eq!(Expr::parse(&expr.to_string()), Ok(expr));
            }
        }
    }
}
