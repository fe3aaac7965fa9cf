//! A small table that renders both as aligned terminal text and as a Markdown table.

pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(header: &[&str]) -> Table {
        Table {
            header: header.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    fn widths(&self) -> Vec<usize> {
        let mut w: Vec<usize> = self.header.iter().map(|h| h.chars().count()).collect();
        for r in &self.rows {
            for (i, c) in r.iter().enumerate() {
                if i < w.len() {
                    w[i] = w[i].max(c.chars().count());
                }
            }
        }
        w
    }

    /// Aligned text: the first column left-aligned, the rest right-aligned (they are numbers).
    pub fn text(&self) -> String {
        let w = self.widths();
        let line = |cells: &[String]| -> String {
            cells
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let pad = w[i].saturating_sub(c.chars().count());
                    if i == 0 {
                        format!("{c}{}", " ".repeat(pad))
                    } else {
                        format!("{}{c}", " ".repeat(pad))
                    }
                })
                .collect::<Vec<_>>()
                .join("  ")
                .trim_end()
                .to_string()
        };
        let mut out = line(&self.header);
        out.push('\n');
        out.push_str(&"-".repeat(w.iter().sum::<usize>() + 2 * (w.len().saturating_sub(1))));
        out.push('\n');
        for r in &self.rows {
            out.push_str(&line(r));
            out.push('\n');
        }
        out
    }

    pub fn markdown(&self) -> String {
        let mut out = format!("| {} |\n", self.header.join(" | "));
        let align: Vec<&str> = (0..self.header.len())
            .map(|i| if i == 0 { "---" } else { "---:" })
            .collect();
        out.push_str(&format!("|{}|\n", align.join("|")));
        for r in &self.rows {
            out.push_str(&format!("| {} |\n", r.join(" | ")));
        }
        out
    }
}

/// A number with `digits` decimals, or "–" when there is none.
pub fn num(x: Option<f64>, digits: usize) -> String {
    match x {
        Some(v) if v.is_finite() => format!("{v:.digits$}"),
        _ => "–".into(),
    }
}

/// A count with thousands separators (`12 842`), or "–".
pub fn count(x: Option<f64>) -> String {
    let Some(v) = x.filter(|v| v.is_finite()) else {
        return "–".into();
    };
    let digits = format!("{:.0}", v.abs());
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(' ');
        }
        out.push(ch);
    }
    if v < 0.0 { format!("-{out}") } else { out }
}

/// A large rate in compact form: `812`, `12.3k`, `4.56M`.
pub fn rate(x: Option<f64>) -> String {
    match x {
        Some(v) if v.is_finite() && v >= 1e6 => format!("{:.2}M", v / 1e6),
        Some(v) if v.is_finite() && v >= 1e4 => format!("{:.1}k", v / 1e3),
        Some(v) if v.is_finite() => format!("{v:.0}"),
        _ => "–".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_text_and_markdown() {
        let mut t = Table::new(&["suite", "wall s"]);
        t.row(vec!["raft_2a".into(), "0.03".into()]);
        let text = t.text();
        assert!(text.starts_with("suite    wall s\n"));
        assert!(text.ends_with("raft_2a    0.03\n"));
        assert_eq!(
            t.markdown(),
            "| suite | wall s |\n|---|---:|\n| raft_2a | 0.03 |\n"
        );
    }

    #[test]
    fn number_formats() {
        assert_eq!(num(Some(1.234), 2), "1.23");
        assert_eq!(num(None, 2), "–");
        assert_eq!(count(Some(51407893.0)), "51 407 893");
        assert_eq!(count(Some(812.0)), "812");
        assert_eq!(rate(Some(4_560_000.0)), "4.56M");
        assert_eq!(rate(Some(12_345.0)), "12.3k");
        assert_eq!(rate(Some(812.4)), "812");
    }
}
