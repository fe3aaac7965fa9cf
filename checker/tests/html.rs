//! The HTML picture of checked histories (the browser test in tests/ checks how it draws).

use checker::{
    Budget, CheckResult, History, Operation, check, html_path, render_html, write_html,
    write_html_temp,
};

/// The JSON the page's script reads.
fn page_data(page: &str) -> serde_json::Value {
    let open = "<script type=\"application/json\" id=\"picture-data\">";
    let start = page.find(open).expect("data script") + open.len();
    let end = start + page[start..].find("</script>").expect("end of data");
    serde_json::from_str(&page[start..end]).expect("valid JSON")
}

fn stale_read() -> History {
    History::from_ops(vec![
        Operation::put(1, 0, 10, "x", "1"),
        Operation::put(2, 20, 30, "x", "2"),
        Operation::get(3, 40, 50, "x", "1"),
        Operation::put(1, 0, 10, "y", "fine"),
    ])
}

#[test]
fn illegal_history_page_shows_the_failing_key_and_first_error() {
    let history = stale_read();
    let result = check(&history, Budget::DEFAULT);
    assert!(matches!(result, CheckResult::Illegal { .. }));
    let page = render_html(&history.snapshot(), &result);
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("raft-lab: NOT linearizable"));
    let data = page_data(&page);
    assert_eq!(data["keys"][0]["name"], "x");
    assert_eq!(data["keys"][0]["verdict"], "NOT linearizable");
    assert_eq!(data["keys"][0]["clients"], serde_json::json!([1, 2, 3]));
    assert_eq!(data["keys"][1]["verdict"], "linearizable");
    // Keys are sorted: x is section 0. Its longest prefix is the two puts; the stale get could
    // come next in real time but is illegal there.
    let first = &data["first_error"];
    assert_eq!(first["key"], 0);
    let node = first["node"].as_i64().unwrap();
    let key = &data["keys"][0];
    let mut prefix = Vec::new();
    let mut n = node;
    while n >= 0 {
        prefix.push(key["nodes"][n as usize][1].as_u64().unwrap());
        n = key["nodes"][n as usize][0].as_i64().unwrap();
    }
    prefix.reverse();
    let label = |slot: u64| {
        data["ops"][slot as usize]["label"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let labels: Vec<String> = prefix.iter().map(|&s| label(s)).collect();
    assert_eq!(labels, ["put('x', '1')", "put('x', '2')"]);
    let bad = key["illegal_next"][node.to_string()].as_array().unwrap();
    let bad: Vec<String> = bad.iter().map(|s| label(s.as_u64().unwrap())).collect();
    assert_eq!(bad, ["get('x') -> '1'"]);
    // The page highlights the stale get, and marks its return as where linearization fails.
    let highlighted: Vec<String> = first["ops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| label(s.as_u64().unwrap()))
        .collect();
    assert_eq!(highlighted, ["get('x') -> '1'"]);
    assert_eq!(first["time"], 50);
    // The stale get has no linearizable prefix at all.
    let get_slot = (0..3).find(|&s| label(s) == "get('x') -> '1'").unwrap();
    assert_eq!(key["longest"][get_slot.to_string()], -1);
}

#[test]
fn user_strings_are_escaped() {
    let nasty = "</script><img src=x onerror=alert(1)>&'\"";
    let history = History::from_ops(vec![
        Operation::put(1, 0, 10, nasty, nasty),
        Operation::get(2, 20, 30, nasty, "not it"),
    ]);
    let result = check(&history, Budget::DEFAULT);
    let page = render_html(&history.snapshot(), &result);
    assert!(!page.contains("<img"), "raw markup from the history");
    assert_eq!(
        page.matches("</script>").count(),
        3,
        "only the page's own scripts end"
    );
    let data = page_data(&page);
    assert_eq!(
        data["ops"][0]["value"], nasty,
        "the JSON keeps the exact value"
    );
}

#[test]
fn page_is_self_contained() {
    let history = stale_read();
    let page = render_html(&history.snapshot(), &check(&history, Budget::DEFAULT));
    for external in [
        "src=",
        "href=\"http",
        "@import",
        "<link",
        "fetch(",
        "XMLHttpRequest",
    ] {
        assert!(!page.contains(external), "{external}");
    }
    // CSS may only refer to the page's own patterns.
    assert_eq!(page.matches("url(").count(), page.matches("url(#").count());
}

#[test]
fn linearizable_and_unknown_results_render_without_error_link() {
    let ok = History::from_ops(vec![Operation::put(1, 0, 10, "k", "v")]);
    let page = render_html(&ok.snapshot(), &check(&ok, Budget::DEFAULT));
    assert!(page.contains("raft-lab: linearizable"));
    assert!(page_data(&page)["first_error"].is_null());
    let unknown = CheckResult::Unknown {
        key: "k".into(),
        steps: 5,
    };
    let page = render_html(&ok.snapshot(), &unknown);
    assert_eq!(
        page_data(&page)["keys"][0]["verdict"],
        "unknown (budget exhausted)"
    );
    assert!(page.contains("not a pass"));
}

#[test]
fn pages_are_written_to_files() {
    let history = stale_read();
    let result = check(&history, Budget::DEFAULT);
    let path = html_path("linearizability html/test");
    assert_eq!(
        path.file_name().unwrap().to_str().unwrap(),
        "raft-lab-linearizability_html_test.html"
    );
    assert_eq!(path.parent().unwrap(), std::env::temp_dir());
    let written = write_html_temp(&history, &result, "linearizability html/test").unwrap();
    assert_eq!(written, path);
    let page = std::fs::read_to_string(&path).unwrap();
    assert_eq!(page_data(&page)["keys"][0]["name"], "x");
    let elsewhere = std::env::temp_dir().join("raft-lab-html-test-explicit.html");
    write_html(&history, &result, &elsewhere).unwrap();
    assert_eq!(std::fs::read_to_string(&elsewhere).unwrap(), page);
    std::fs::remove_file(path).unwrap();
    std::fs::remove_file(elsewhere).unwrap();
}

#[test]
fn long_values_are_abbreviated_in_labels() {
    let long = "z".repeat(5000);
    let history = History::from_ops(vec![
        Operation::put(1, 0, 10, "k", &long),
        Operation::get(2, 20, 30, "k", "other"),
    ]);
    let page = render_html(&history.snapshot(), &check(&history, Budget::DEFAULT));
    assert!(page.contains("[5000 chars]"));
    // The full value appears once, in the data the script replays states from.
    assert_eq!(page.matches(long.as_str()).count(), 1);
}
