//! The closing table of repeat-test: per test, runs, failures, wall time (mean ± sd) and mean virtual
//! time.

/// What a sweep saw of one test.
#[derive(Clone, Debug, Default)]
pub struct TestStats {
    pub test: String,
    pub runs: usize,
    pub failures: usize,
    /// Wall seconds of every run.
    pub wall: Vec<f64>,
    /// Virtual seconds of every run that reported them.
    pub virtual_time: Vec<f64>,
}

/// Mean and sample standard deviation (0 for a single value); `None` for no values.
pub fn mean_sd(xs: &[f64]) -> Option<(f64, f64)> {
    if xs.is_empty() {
        return None;
    }
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let sd = if xs.len() < 2 {
        0.0
    } else {
        (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
    };
    Some((mean, sd))
}

/// The table, one row per test, columns aligned.
pub fn table(rows: &[TestStats]) -> String {
    let header = [
        "test",
        "runs",
        "failed",
        "wall s (mean ± sd)",
        "virtual s (mean)",
    ];
    let cells: Vec<[String; 5]> = rows
        .iter()
        .map(|r| {
            [
                r.test.clone(),
                r.runs.to_string(),
                r.failures.to_string(),
                mean_sd(&r.wall)
                    .map(|(m, sd)| format!("{m:.2} ± {sd:.2}"))
                    .unwrap_or_else(|| "-".into()),
                mean_sd(&r.virtual_time)
                    .map(|(m, _)| format!("{m:.2}"))
                    .unwrap_or_else(|| "-".into()),
            ]
        })
        .collect();
    let mut widths = header.map(|h| h.chars().count());
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |row: [&str; 5]| {
        let mut out = String::new();
        for (i, (cell, w)) in row.iter().zip(widths).enumerate() {
            let pad = w - cell.chars().count();
            if i == 0 {
                out.push_str(cell);
                out.push_str(&" ".repeat(pad));
            } else {
                out.push_str("  ");
                out.push_str(&" ".repeat(pad));
                out.push_str(cell);
            }
        }
        out.push('\n');
        out
    };
    let mut out = line(header);
    for row in &cells {
        out.push_str(&line(row.each_ref().map(String::as_str)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_and_sample_sd() {
        assert_eq!(mean_sd(&[]), None);
        assert_eq!(mean_sd(&[2.0]), Some((2.0, 0.0)));
        let (m, sd) = mean_sd(&[1.0, 2.0, 3.0, 4.0]).unwrap();
        assert_eq!(m, 2.5);
        assert!((sd - 1.2909944).abs() < 1e-6);
    }

    #[test]
    fn table_aligns_columns() {
        let rows = [
            TestStats {
                test: "initial_election_2a".into(),
                runs: 50,
                failures: 1,
                wall: vec![0.5, 0.7],
                virtual_time: vec![3.0, 3.5],
            },
            TestStats {
                test: "x".into(),
                runs: 2,
                failures: 2,
                wall: vec![1.0],
                virtual_time: vec![],
            },
        ];
        let t = table(&rows);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].starts_with("test "));
        assert!(lines[1].starts_with("initial_election_2a  "));
        assert!(lines[1].contains("0.60 ± 0.14"));
        assert!(lines[1].ends_with("3.25"));
        assert!(lines[2].ends_with("-"));
        let width = lines[0].chars().count();
        assert!(lines.iter().all(|l| l.chars().count() == width), "{t}");
    }
}
