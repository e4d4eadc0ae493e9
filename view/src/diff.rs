//! Line diffs of two texts, for the console's side-by-side comparison of task-definition
//! revisions.
//!
//! [`diff`] aligns the lines of two documents with a longest common subsequence (LCS), then
//! pairs each run of removed lines with the run of added lines that replaces it, so the two
//! columns of the console line up: a [`RowKind::Changed`] row shows the old line on the left and
//! the new one on the right. For pretty-printed JSON (two-space indentation, one key per line,
//! as `serde_json::to_string_pretty` writes it), [`Diff::fields`] names the fields that differ,
//! so the console can say "3 fields changed: image, memory, environment".
//!
//! Pure and deterministic: no IO, no clock.

/// How a row of the side-by-side view differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RowKind {
    /// The same line on both sides.
    Same,
    /// A line only in the old document (left).
    Removed,
    /// A line only in the new document (right).
    Added,
    /// A line of the old document replaced by a line of the new one.
    Changed,
}

impl RowKind {
    /// The CSS modifier: `same`, `removed`, `added`, `changed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Same => "same",
            Self::Removed => "removed",
            Self::Added => "added",
            Self::Changed => "changed",
        }
    }
}

/// One line of a document: its number (from 1) and text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Line {
    /// Line number, counted from 1.
    pub number: usize,
    /// The line without its line break.
    pub text: String,
}

/// One row of the side-by-side view.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Row {
    /// How the row differs.
    pub kind: RowKind,
    /// The old document's line (absent for [`RowKind::Added`]).
    pub left: Option<Line>,
    /// The new document's line (absent for [`RowKind::Removed`]).
    pub right: Option<Line>,
}

/// The comparison of two documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diff {
    /// Every line of both documents, aligned.
    pub rows: Vec<Row>,
    /// Names of the JSON fields whose lines differ, each once, in order of first appearance
    /// (see [`field_of_lines`]); empty when the documents are equal.
    pub fields: Vec<String>,
}

impl Diff {
    /// Rows that are not [`RowKind::Same`].
    pub fn changed_rows(&self) -> usize {
        self.rows.iter().filter(|r| r.kind != RowKind::Same).count()
    }

    /// Whether the two documents are equal line for line.
    pub fn is_empty(&self) -> bool {
        self.changed_rows() == 0
    }
}

/// Compares `old` with `new` line by line.
///
/// Lines common to both sides are found with an LCS (after trimming the common beginning and
/// end, so nearly equal documents cost little); each run of removed lines followed by added
/// lines becomes [`RowKind::Changed`] rows pairwise, the longer run's remainder staying
/// removed or added.
pub fn diff(old: &str, new: &str) -> Diff {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let ops = align(&a, &b);
    let rows = pair(&ops, &a, &b);
    let (old_fields, new_fields) = (field_of_lines(old), field_of_lines(new));
    let mut fields: Vec<String> = Vec::new();
    for row in rows.iter().filter(|r| r.kind != RowKind::Same) {
        let sides = [
            row.left.as_ref().and_then(|l| old_fields.get(l.number - 1)),
            row.right
                .as_ref()
                .and_then(|l| new_fields.get(l.number - 1)),
        ];
        for field in sides.into_iter().flatten().flatten() {
            if !fields.contains(field) {
                fields.push(field.clone());
            }
        }
    }
    Diff { rows, fields }
}

/// One step of an alignment: a line kept, removed from `a` or added from `b`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Keep(usize, usize),
    Remove(usize),
    Add(usize),
}

/// The LCS alignment of `a` and `b`.
fn align(a: &[&str], b: &[&str]) -> Vec<Op> {
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (a_mid, b_mid) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let (n, m) = (a_mid.len(), b_mid.len());
    // lengths[i][j]: LCS length of a_mid[i..] and b_mid[j..].
    let mut lengths = vec![0u32; (n + 1) * (m + 1)];
    let at = |i: usize, j: usize| i * (m + 1) + j;
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lengths[at(i, j)] = if a_mid[i] == b_mid[j] {
                lengths[at(i + 1, j + 1)] + 1
            } else {
                lengths[at(i + 1, j)].max(lengths[at(i, j + 1)])
            };
        }
    }
    let mut ops: Vec<Op> = (0..prefix).map(|i| Op::Keep(i, i)).collect();
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && a_mid[i] == b_mid[j] {
            ops.push(Op::Keep(prefix + i, prefix + j));
            i += 1;
            j += 1;
        } else if j == m || (i < n && lengths[at(i + 1, j)] >= lengths[at(i, j + 1)]) {
            ops.push(Op::Remove(prefix + i));
            i += 1;
        } else {
            ops.push(Op::Add(prefix + j));
            j += 1;
        }
    }
    ops.extend((0..suffix).map(|k| Op::Keep(a.len() - suffix + k, b.len() - suffix + k)));
    ops
}

/// Turns an alignment into side-by-side rows, pairing removed runs with the added runs next
/// to them.
fn pair(ops: &[Op], a: &[&str], b: &[&str]) -> Vec<Row> {
    let line = |lines: &[&str], index: usize| Line {
        number: index + 1,
        text: lines[index].to_owned(),
    };
    let mut rows = Vec::with_capacity(ops.len());
    let mut k = 0;
    while k < ops.len() {
        if let Op::Keep(i, j) = ops[k] {
            rows.push(Row {
                kind: RowKind::Same,
                left: Some(line(a, i)),
                right: Some(line(b, j)),
            });
            k += 1;
            continue;
        }
        let mut removed = Vec::new();
        let mut added = Vec::new();
        while let Some(op) = ops.get(k) {
            match *op {
                Op::Remove(i) => removed.push(i),
                Op::Add(j) => added.push(j),
                Op::Keep(..) => break,
            }
            k += 1;
        }
        for index in 0..removed.len().max(added.len()) {
            let (left, right) = (removed.get(index), added.get(index));
            let kind = match (left, right) {
                (Some(_), Some(_)) => RowKind::Changed,
                (Some(_), None) => RowKind::Removed,
                _ => RowKind::Added,
            };
            rows.push(Row {
                kind,
                left: left.map(|i| line(a, *i)),
                right: right.map(|j| line(b, *j)),
            });
        }
    }
    rows
}

/// One open object or array while reading pretty-printed JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Frame {
    /// An object or array that is the value of this key.
    Key(String),
    /// An object or array that is an element of an array (or the document itself).
    Element,
}

/// For each line of pretty-printed JSON, the field it belongs to.
///
/// The field is the deepest key on the line's path that is inside at most one array: in a
/// task definition, `containerDefinitions[0].image` gives `image`, `memory` at the top level
/// gives `memory`, and `containerDefinitions[0].environment[2].value` gives `environment`
/// (the variable list as a whole). A closing bracket belongs to the field it closes; the
/// document's own braces belong to none.
pub fn field_of_lines(json: &str) -> Vec<Option<String>> {
    let mut stack: Vec<Frame> = Vec::new();
    let mut fields = Vec::new();
    for raw in json.lines() {
        let line = raw.trim();
        let key = line_key(line);
        if line.starts_with('}') || line.starts_with(']') {
            let frame = stack.pop();
            let mut path = stack.clone();
            path.extend(frame);
            fields.push(pick(&path));
            continue;
        }
        let mut path = stack.clone();
        path.push(match &key {
            Some(key) => Frame::Key(key.clone()),
            None => Frame::Element,
        });
        fields.push(pick(&path));
        if line.ends_with('{') || line.ends_with('[') {
            stack.push(path.pop().unwrap_or(Frame::Element));
        }
    }
    fields
}

/// The deepest key of `path` that is inside at most one array element.
fn pick(path: &[Frame]) -> Option<String> {
    let mut elements = 0;
    let mut best = None;
    // The first frame is the document itself (an element); do not count it.
    for frame in path.iter().skip(1) {
        match frame {
            Frame::Element => elements += 1,
            Frame::Key(key) if elements <= 1 => best = Some(key.clone()),
            Frame::Key(_) => {}
        }
    }
    best
}

/// The key a line starts with (`"image": …` gives `image`), unescaping `\"` and `\\`.
fn line_key(line: &str) -> Option<String> {
    let rest = line.strip_prefix('"')?;
    let mut key = String::new();
    let mut chars = rest.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => key.push(chars.next()?),
            '"' => return chars.as_str().starts_with(':').then_some(key),
            c => key.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(diff: &Diff) -> Vec<RowKind> {
        diff.rows.iter().map(|r| r.kind).collect()
    }

    #[test]
    fn equal_texts_have_only_same_rows() {
        let diff = diff("a\nb\nc", "a\nb\nc");
        assert!(diff.is_empty());
        assert_eq!(kinds(&diff), [RowKind::Same; 3]);
        assert!(diff.fields.is_empty());
    }

    #[test]
    fn a_replaced_line_is_one_changed_row_with_both_sides() {
        let diff = diff("a\nb\nc", "a\nB\nc");
        assert_eq!(
            kinds(&diff),
            [RowKind::Same, RowKind::Changed, RowKind::Same]
        );
        let row = &diff.rows[1];
        assert_eq!(
            row.left.as_ref().map(|l| (l.number, l.text.as_str())),
            Some((2, "b"))
        );
        assert_eq!(
            row.right.as_ref().map(|l| (l.number, l.text.as_str())),
            Some((2, "B"))
        );
        assert_eq!(diff.changed_rows(), 1);
    }

    #[test]
    fn insertions_and_deletions_keep_the_common_lines_aligned() {
        let diff = diff("a\nb\nc\nd", "a\nc\nd\ne");
        assert_eq!(
            kinds(&diff),
            [
                RowKind::Same,
                RowKind::Removed,
                RowKind::Same,
                RowKind::Same,
                RowKind::Added
            ]
        );
        let numbers: Vec<(Option<usize>, Option<usize>)> = diff
            .rows
            .iter()
            .map(|r| {
                (
                    r.left.as_ref().map(|l| l.number),
                    r.right.as_ref().map(|l| l.number),
                )
            })
            .collect();
        assert_eq!(
            numbers,
            [
                (Some(1), Some(1)),
                (Some(2), None),
                (Some(3), Some(2)),
                (Some(4), Some(3)),
                (None, Some(4))
            ]
        );
    }

    #[test]
    fn the_longest_common_subsequence_is_kept() {
        // LCS of ABCBDAB and BDCABA has length 4.
        let old = "A\nB\nC\nB\nD\nA\nB";
        let new = "B\nD\nC\nA\nB\nA";
        let diff = diff(old, new);
        let same = diff.rows.iter().filter(|r| r.kind == RowKind::Same).count();
        assert_eq!(same, 4);
        // Every line of both sides appears exactly once, in order.
        let left: Vec<usize> = diff
            .rows
            .iter()
            .filter_map(|r| r.left.as_ref().map(|l| l.number))
            .collect();
        let right: Vec<usize> = diff
            .rows
            .iter()
            .filter_map(|r| r.right.as_ref().map(|l| l.number))
            .collect();
        assert_eq!(left, (1..=7).collect::<Vec<_>>());
        assert_eq!(right, (1..=6).collect::<Vec<_>>());
    }

    #[test]
    fn empty_documents() {
        assert!(diff("", "").rows.is_empty());
        assert_eq!(kinds(&diff("", "x\ny")), [RowKind::Added, RowKind::Added]);
        assert_eq!(kinds(&diff("x", "")), [RowKind::Removed]);
    }

    #[test]
    fn a_longer_replacement_pairs_then_adds() {
        let diff = diff("a\nx\nz", "a\ny1\ny2\nz");
        assert_eq!(
            kinds(&diff),
            [
                RowKind::Same,
                RowKind::Changed,
                RowKind::Added,
                RowKind::Same
            ]
        );
    }

    const OLD: &str = r#"{
  "family": "api",
  "revision": 6,
  "memory": "512",
  "containerDefinitions": [
    {
      "name": "api",
      "image": "api:1.4",
      "environment": [
        {
          "name": "LOG_LEVEL",
          "value": "info"
        }
      ],
      "logConfiguration": {
        "logDriver": "awslogs",
        "options": {
          "awslogs-group": "/ecs/api"
        }
      }
    }
  ]
}"#;

    #[test]
    fn fields_of_pretty_json_lines() {
        let fields = field_of_lines(OLD);
        let at = |needle: &str| {
            let index = OLD.lines().position(|l| l.contains(needle)).expect(needle);
            fields[index].clone()
        };
        assert_eq!(fields[0], None);
        assert_eq!(at("\"family\""), Some("family".into()));
        assert_eq!(at("\"image\""), Some("image".into()));
        assert_eq!(at("\"value\": \"info\""), Some("environment".into()));
        assert_eq!(at("\"awslogs-group\""), Some("awslogs-group".into()));
        assert_eq!(
            at("\"containerDefinitions\""),
            Some("containerDefinitions".into())
        );
        assert_eq!(fields.last().cloned(), Some(None));
        assert_eq!(fields.len(), OLD.lines().count());
    }

    #[test]
    fn names_the_changed_fields_once_in_order() {
        let new = OLD
            .replace("\"revision\": 6", "\"revision\": 7")
            .replace("\"512\"", "\"1024\"")
            .replace("api:1.4", "api:1.5")
            .replace("\"info\"", "\"debug\"");
        let diff = diff(OLD, &new);
        assert_eq!(diff.changed_rows(), 4);
        assert_eq!(diff.fields, ["revision", "memory", "image", "environment"]);
    }

    #[test]
    fn an_added_environment_variable_is_named_by_its_list() {
        let new = OLD.replace(
            "          \"value\": \"info\"\n        }",
            "          \"value\": \"info\"\n        },\n        {\n          \"name\": \"REGION\",\n          \"value\": \"eu-west-1\"\n        }",
        );
        let diff = diff(OLD, &new);
        assert!(diff.changed_rows() >= 4, "{:?}", diff.rows);
        assert_eq!(diff.fields, ["environment"]);
    }

    #[test]
    fn keys_with_escaped_quotes() {
        assert_eq!(line_key(r#""a\"b": 1"#), Some("a\"b".into()));
        assert_eq!(line_key(r#""just a string","#), None);
        assert_eq!(line_key("{"), None);
    }
}
