//! Unified diffs of two texts, line by line, for `-dry-run`.
//!
//! Myers' O(ND) algorithm on what is left once the common first and last lines are set
//! aside (a config usually changes in a few places), with three lines of context per hunk
//! as `diff -u` prints them. Written here rather than taken from a crate: the `similar`
//! crate cost a sixth of the binary. Past a bounded edit distance the changed middle is
//! shown as removed and added whole, so time and memory stay bounded.

/// Most differing lines the algorithm looks for before it gives the middle up whole.
const MAX_EDITS: usize = 2000;

const CONTEXT: usize = 3;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Equal,
    Delete,
    Insert,
}

/// `--- name (current)` / `+++ name (new)` and the hunks; empty when the texts are equal.
pub fn unified_diff(name: &str, old: &str, new: &str) -> String {
    let a: Vec<&str> = old.split_inclusive('\n').collect();
    let b: Vec<&str> = new.split_inclusive('\n').collect();
    let ops = edit_script(&a, &b);
    if ops.iter().all(|op| *op == Op::Equal) {
        return String::new();
    }
    let mut out = format!("--- {name} (current)\n+++ {name} (new)\n");
    // Positions in `a` and `b` before each op.
    let mut positions = Vec::with_capacity(ops.len() + 1);
    let (mut x, mut y) = (0, 0);
    for op in &ops {
        positions.push((x, y));
        match op {
            Op::Equal => (x, y) = (x + 1, y + 1),
            Op::Delete => x += 1,
            Op::Insert => y += 1,
        }
    }
    positions.push((x, y));
    let changes: Vec<usize> = (0..ops.len()).filter(|&i| ops[i] != Op::Equal).collect();
    let mut index = 0;
    while index < changes.len() {
        // A hunk takes changes whose gaps of equal lines fit two contexts.
        let first = changes[index];
        let mut last = first;
        while index + 1 < changes.len() && changes[index + 1] - last <= 2 * CONTEXT + 1 {
            index += 1;
            last = changes[index];
        }
        index += 1;
        let start = first.saturating_sub(CONTEXT);
        let end = (last + 1 + CONTEXT).min(ops.len());
        let (old_start, new_start) = positions[start];
        let (old_end, new_end) = positions[end];
        out.push_str(&format!(
            "@@ -{} +{} @@\n",
            range(old_start, old_end - old_start),
            range(new_start, new_end - new_start)
        ));
        for (op, (x, y)) in ops[start..end].iter().zip(&positions[start..end]) {
            let (sign, line) = match op {
                Op::Equal => (' ', a[*x]),
                Op::Delete => ('-', a[*x]),
                Op::Insert => ('+', b[*y]),
            };
            out.push(sign);
            out.push_str(line);
            if !line.ends_with('\n') {
                out.push_str("\n\\ No newline at end of file\n");
            }
        }
    }
    out
}

/// `start,length` as `diff -u` writes a range (1-based; `start` alone for one line; the line
/// before for an empty range).
fn range(start: usize, length: usize) -> String {
    match length {
        0 => format!("{start},0"),
        1 => format!("{}", start + 1),
        _ => format!("{},{length}", start + 1),
    }
}

/// The ops that turn `a` into `b`.
fn edit_script(a: &[&str], b: &[&str]) -> Vec<Op> {
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let middle_a = &a[prefix..a.len() - suffix];
    let middle_b = &b[prefix..b.len() - suffix];
    let mut ops = vec![Op::Equal; prefix];
    match myers(middle_a, middle_b) {
        Some(middle) => ops.extend(middle),
        None => {
            ops.extend(std::iter::repeat_n(Op::Delete, middle_a.len()));
            ops.extend(std::iter::repeat_n(Op::Insert, middle_b.len()));
        }
    }
    ops.extend(std::iter::repeat_n(Op::Equal, suffix));
    ops
}

/// Myers' shortest edit script, or `None` past `MAX_EDITS` differences.
fn myers(a: &[&str], b: &[&str]) -> Option<Vec<Op>> {
    let (n, m) = (a.len() as isize, b.len() as isize);
    let limit = (a.len() + b.len()).min(MAX_EDITS) as isize;
    // trace[d] holds the furthest x on each diagonal k = -d..=d after d edits.
    let mut trace: Vec<Vec<isize>> = Vec::new();
    let mut previous: Vec<isize> = vec![0];
    for d in 0..=limit {
        let mut current = vec![0isize; (2 * d + 1) as usize];
        for k in (-d..=d).step_by(2) {
            let from_previous = |k: isize| previous[(k + d - 1) as usize];
            let mut x = if d == 0 {
                0
            } else if k == -d || (k != d && from_previous(k - 1) < from_previous(k + 1)) {
                from_previous(k + 1)
            } else {
                from_previous(k - 1) + 1
            };
            let mut y = x - k;
            while x < n && y < m && a[x as usize] == b[y as usize] {
                x += 1;
                y += 1;
            }
            current[(k + d) as usize] = x;
            if x >= n && y >= m {
                trace.push(current);
                return Some(backtrack(&trace, n, m));
            }
        }
        trace.push(current.clone());
        previous = current;
    }
    None
}

/// Walks the trace back from (n, m) to (0, 0).
fn backtrack(trace: &[Vec<isize>], n: isize, m: isize) -> Vec<Op> {
    let mut ops = Vec::new();
    let (mut x, mut y) = (n, m);
    for d in (1..trace.len() as isize).rev() {
        let previous = &trace[(d - 1) as usize];
        let at = |k: isize| previous[(k + d - 1) as usize];
        let k = x - y;
        let previous_k = if k == -d || (k != d && at(k - 1) < at(k + 1)) {
            k + 1
        } else {
            k - 1
        };
        let previous_x = at(previous_k);
        let previous_y = previous_x - previous_k;
        while x > previous_x && y > previous_y {
            ops.push(Op::Equal);
            x -= 1;
            y -= 1;
        }
        ops.push(if x == previous_x {
            Op::Insert
        } else {
            Op::Delete
        });
        (x, y) = (previous_x, previous_y);
    }
    ops.extend(std::iter::repeat_n(Op::Equal, x as usize));
    ops.reverse();
    ops
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Applies a diff's hunks to `old`, to check that the diff is right, not just plausible.
    fn apply(old: &str, diff: &str) -> String {
        let old: Vec<&str> = old.split_inclusive('\n').collect();
        let mut out = String::new();
        let mut next = 0;
        for line in diff.lines().skip(2) {
            if let Some(header) = line.strip_prefix("@@ -") {
                let old_range = header.split(' ').next().unwrap();
                let mut parts = old_range.split(',');
                let start: usize = parts.next().unwrap().parse().unwrap();
                let length: usize = parts.next().map(|l| l.parse().unwrap()).unwrap_or(1);
                let first = if length == 0 { start } else { start - 1 };
                while next < first {
                    out.push_str(old[next]);
                    next += 1;
                }
            } else if let Some(text) = line.strip_prefix('+') {
                out.push_str(text);
                out.push('\n');
            } else if line.starts_with('-') || line.starts_with(' ') {
                assert_eq!(
                    old[next].trim_end_matches('\n'),
                    &line[1..],
                    "context or removal does not match"
                );
                if line.starts_with(' ') {
                    out.push_str(old[next]);
                }
                next += 1;
            }
        }
        while next < old.len() {
            out.push_str(old[next]);
            next += 1;
        }
        out
    }

    #[test]
    fn one_changed_line_with_context() {
        let old = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
        let new = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n";
        assert_eq!(
            unified_diff("f", old, new),
            "--- f (current)\n+++ f (new)\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n"
        );
    }

    #[test]
    fn edge_cases() {
        assert_eq!(unified_diff("f", "same\n", "same\n"), "");
        assert_eq!(
            unified_diff("f", "", "a\nb\n"),
            "--- f (current)\n+++ f (new)\n@@ -0,0 +1,2 @@\n+a\n+b\n"
        );
        assert_eq!(
            unified_diff("f", "a\n", ""),
            "--- f (current)\n+++ f (new)\n@@ -1 +0,0 @@\n-a\n"
        );
        assert_eq!(
            unified_diff("f", "a\nb", "a\nc"),
            "--- f (current)\n+++ f (new)\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n"
        );
    }

    #[test]
    fn far_apart_changes_make_separate_hunks_and_apply_back() {
        let old: String = (0..40).map(|i| format!("line {i}\n")).collect();
        let mut new_lines: Vec<String> = (0..40).map(|i| format!("line {i}\n")).collect();
        new_lines[2] = "changed 2\n".into();
        new_lines.insert(20, "inserted\n".into());
        new_lines.remove(35);
        let new: String = new_lines.concat();
        let diff = unified_diff("f", &old, &new);
        assert_eq!(diff.matches("@@ -").count(), 3, "{diff}");
        assert_eq!(apply(&old, &diff), new);
    }

    #[test]
    fn pseudo_random_edits_apply_back() {
        let mut state: u64 = 42;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as usize
        };
        for _ in 0..200 {
            let old: Vec<String> = (0..next() % 30)
                .map(|_| format!("{}\n", next() % 5))
                .collect();
            let mut new = old.clone();
            for _ in 0..next() % 6 {
                let at = if new.is_empty() {
                    0
                } else {
                    next() % new.len()
                };
                match next() % 3 {
                    0 if !new.is_empty() => {
                        new.remove(at);
                    }
                    1 => new.insert(at, format!("{}\n", next() % 5)),
                    _ if !new.is_empty() => new[at] = format!("x{}\n", next() % 5),
                    _ => {}
                }
            }
            let (old, new) = (old.concat(), new.concat());
            let diff = unified_diff("f", &old, &new);
            assert_eq!(apply(&old, &diff), new, "old {old:?} new {new:?}\n{diff}");
        }
    }

    #[test]
    fn a_huge_rewrite_stays_bounded() {
        let old: String = (0..5000).map(|i| format!("a{i}\n")).collect();
        let new: String = (0..5000).map(|i| format!("b{i}\n")).collect();
        let diff = unified_diff("f", &old, &new);
        assert_eq!(
            diff.lines()
                .filter(|l| l.starts_with('-') && !l.starts_with("---"))
                .count(),
            5000
        );
        assert_eq!(apply(&old, &diff), new);
    }
}
