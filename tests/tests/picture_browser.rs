//! The failure picture in a real browser: headless Chromium loads the pictures of a passing KV run,
//! a linearizability failure and a Raft failure, with no console output or script error; each
//! page's layout (which it records on `<body data-layout>`) and a screenshot of it are checked:
//! the failing operation drawn red where the page says it is, fault bands tinting the lanes, the
//! leader's lane green, the failure line red. A 20,000-operation history must load in under 5 s.
//!
//! Chromium is Debian's `chromium` (or the binary `RAFT_LAB_CHROMIUM` names). Without it the test
//! says so and passes, unless `CI` or `RAFT_LAB_BROWSER_REQUIRED` is set: then a missing browser
//! fails it. `cargo test --test picture_browser -- --nocapture` prints page sizes and load times.

use checker::{Annotation, Budget, OpMeta, Operation, Picture, RoleChange, Timeline};
use raft_lab_tests::picture::{self, scenarios};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const WIDTH: u32 = 1400;
const HEIGHT: u32 = 1000;
/// How long one browser run may take before the test gives up on it.
const BROWSER_LIMIT: Duration = Duration::from_secs(90);

/// The browser to use, if there is one.
fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("RAFT_LAB_CHROMIUM").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| ["chromium", "chromium-browser"].map(|name| dir.join(name)))
        .find(|p| p.is_file())
}

fn browser_required() -> bool {
    ["CI", "RAFT_LAB_BROWSER_REQUIRED"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty() && s != "false"))
}

/// Runs Chromium headless on `page` with `mode` (`--dump-dom` or `--screenshot=...`); returns
/// its stdout and stderr.
fn run_browser(browser: &Path, page: &Path, mode: &str, profile: &Path) -> (String, String) {
    let _ = std::fs::remove_dir_all(profile);
    let out_file = profile.with_extension("out");
    let err_file = profile.with_extension("err");
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
            "--enable-logging=stderr",
            "--v=0",
            &format!("--window-size={WIDTH},{HEIGHT}"),
            &format!("--user-data-dir={}", profile.display()),
            mode,
            &format!("file://{}", page.display()),
        ])
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_file).expect("browser output file"))
        .stderr(std::fs::File::create(&err_file).expect("browser error file"))
        .spawn()
        .expect("chromium starts");
    let start = Instant::now();
    loop {
        if child.try_wait().expect("waiting for chromium").is_some() {
            break;
        }
        if start.elapsed() > BROWSER_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium took over {BROWSER_LIMIT:?} on {}", page.display());
        }
        // Real time on purpose: this polls a real Chromium process, outside any simulation.
        std::thread::sleep(Duration::from_millis(50));
    }
    let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_default();
    let result = (read(&out_file), read(&err_file));
    let _ = std::fs::remove_dir_all(profile);
    result
}

/// What a page said about itself once drawn, and its screenshot.
struct Loaded {
    layout: Value,
    render_ms: f64,
    loaded_ms: f64,
    shot: Shot,
}

/// An RGB screenshot.
struct Shot {
    width: u32,
    height: u32,
    rgb: Vec<u8>,
    path: PathBuf,
}

impl Shot {
    fn read(path: &Path) -> Shot {
        let decoder = png::Decoder::new(std::fs::File::open(path).expect("screenshot file"));
        let mut reader = decoder.read_info().expect("a PNG");
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).expect("a PNG frame");
        let channels = info.color_type.samples();
        assert!(channels >= 3, "a colour screenshot: {:?}", info.color_type);
        let rgb = buf[..info.buffer_size()]
            .chunks(channels)
            .flat_map(|p| [p[0], p[1], p[2]])
            .collect();
        Shot {
            width: info.width,
            height: info.height,
            rgb,
            path: path.to_path_buf(),
        }
    }

    fn at(&self, x: i64, y: i64) -> (u8, u8, u8) {
        assert!(
            (0..self.width as i64).contains(&x) && (0..self.height as i64).contains(&y),
            "({x}, {y}) is outside the screenshot {}",
            self.path.display()
        );
        let i = 3 * (y as usize * self.width as usize + x as usize);
        (self.rgb[i], self.rgb[i + 1], self.rgb[i + 2])
    }
}

/// The value of attribute `name` on `<body>` in a dumped DOM, unescaped.
fn body_attribute(dom: &str, name: &str) -> Option<String> {
    let after_head = dom.find("</head>")?;
    let body = &dom[after_head + dom[after_head..].find("<body")?..];
    let body = &body[..body.find('>')?];
    let start = body.find(&format!("{name}=\""))? + name.len() + 2;
    let value = &body[start..start + body[start..].find('"')?];
    Some(
        value
            .replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&#39;", "'")
            .replace("&amp;", "&"),
    )
}

/// Loads `page` twice (its DOM once drawn, then a screenshot) and checks it drew cleanly.
fn load(browser: &Path, page: &Path) -> Loaded {
    let work = std::env::temp_dir().join(format!(
        "raft-lab-browser-{}-{}",
        std::process::id(),
        page.file_stem().unwrap().to_string_lossy()
    ));
    let (dom, stderr) = run_browser(browser, page, "--dump-dom", &work);
    let console: Vec<&str> = stderr.lines().filter(|l| l.contains(":CONSOLE")).collect();
    assert!(
        console.is_empty(),
        "{}: console output: {console:#?}",
        page.display()
    );
    let errors = body_attribute(&dom, "data-errors");
    assert_eq!(
        errors.as_deref(),
        Some("[]"),
        "{}: script errors",
        page.display()
    );
    let number = |name: &str| -> f64 {
        body_attribute(&dom, name)
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{}: no {name}: the page did not draw", page.display()))
    };
    let layout: Value = serde_json::from_str(
        &body_attribute(&dom, "data-layout").expect("the page records its layout"),
    )
    .expect("layout JSON");
    let png = work.with_extension("png");
    let (_, stderr) = run_browser(
        browser,
        page,
        &format!("--screenshot={}", png.display()),
        &work,
    );
    assert!(
        !stderr.contains(":CONSOLE"),
        "{}: console output while taking the screenshot",
        page.display()
    );
    let shot = Shot::read(&png);
    assert_eq!((shot.width, shot.height), (WIDTH, HEIGHT));
    Loaded {
        layout,
        render_ms: number("data-render-ms"),
        loaded_ms: number("data-loaded-ms"),
        shot,
    }
}

/// The picture a run left, drawn whatever it did.
fn picture_of<Fut>(seed: u64, body: fn() -> Fut) -> PathBuf
where
    Fut: std::future::Future<Output = ()> + 'static,
{
    let report = sim::runner::run_seed_with_end(seed, picture::always, body);
    report
        .artifacts
        .iter()
        .find(|a| a.what == "picture")
        .map(|a| a.path.clone())
        .expect("the run drew its picture")
}

fn rects(layout: &Value, what: &str) -> Vec<Value> {
    layout[what].as_array().cloned().unwrap_or_default()
}

/// The middle of a recorded rectangle.
fn middle(r: &Value) -> (i64, i64) {
    let n = |k: &str| r[k].as_i64().unwrap();
    (n("x") + n("w") / 2, n("y") + n("h") / 2)
}

/// Red or a light red (the failing op's fill is #f7a8a8).
fn is_red((r, g, b): (u8, u8, u8)) -> bool {
    r >= 180 && u16::from(g) + 60 <= u16::from(r) && u16::from(b) + 60 <= u16::from(r)
}

fn is_green((r, g, b): (u8, u8, u8)) -> bool {
    g > r + 40 && g > b + 40
}

fn is_white((r, g, b): (u8, u8, u8)) -> bool {
    r > 250 && g > 250 && b > 250
}

/// A visible leader segment is green in the screenshot.
fn check_leader_is_green(page: &str, loaded: &Loaded) {
    let leader = rects(&loaded.layout, "peers")
        .into_iter()
        .find(|r| r["role"] == "leader" && visible(r) && r["w"].as_i64().unwrap() >= 4)
        .unwrap_or_else(|| panic!("{page}: no leader segment in view: {}", loaded.layout));
    let (x, y) = middle(&leader);
    assert!(
        is_green(loaded.shot.at(x, y)),
        "{page}: the leader segment at ({x}, {y}) is {:?}",
        loaded.shot.at(x, y)
    );
}

/// A visible fault band tints the lanes it spans: a pixel inside it, off any box, is not white.
fn check_a_band_is_drawn(page: &str, loaded: &Loaded) {
    let band = rects(&loaded.layout, "bands")
        .into_iter()
        .find(|r| visible(r) && r["w"].as_i64().unwrap() >= 6)
        .unwrap_or_else(|| panic!("{page}: no fault band in view: {}", loaded.layout));
    let (x, _) = middle(&band);
    let top = band["y"].as_i64().unwrap();
    let bottom = (top + band["h"].as_i64().unwrap()).min(HEIGHT as i64 - 1);
    let tinted = (top + 1..bottom)
        .filter(|&y| !is_white(loaded.shot.at(x, y)))
        .count();
    assert!(
        tinted as i64 > (bottom - top) / 2,
        "{page}: band {} at x={x} tints only {tinted} of {} pixels",
        band["text"],
        bottom - top
    );
}

fn visible(r: &Value) -> bool {
    let (x, y) = middle(r);
    (0..WIDTH as i64).contains(&x) && (0..HEIGHT as i64).contains(&y)
}

/// A history of `n` operations by 15 clients on 10 keys, with a fault band and three peers: the
/// size of a long KV test's.
fn big_history(n: u64) -> (Vec<Operation>, Timeline) {
    let ops: Vec<Operation> = (0..n)
        .map(|i| {
            let client = i % 15;
            let call = (i / 15) * 2_000_000 + client * 10_000;
            let key = format!("k{}", i % 10);
            // Writes only: linearizable in any order, so the check is quick.
            let value = format!("x {i} y");
            let op = if i % 3 == 0 {
                Operation::append(client, call, call + 1_500_000, &key, &value)
            } else {
                Operation::put(client, call, call + 1_500_000, &key, &value)
            };
            op.with_meta(OpMeta {
                server: Some(format!("kv-{}", i % 3)),
                term: Some(1 + i / 5000),
                retries: Some(i % 4),
            })
        })
        .collect();
    let end = ops.iter().map(|o| o.ret).max().unwrap_or(0);
    let timeline = Timeline {
        annotations: vec![Annotation {
            time: end / 3,
            text: "partition [0, 1] | [2]".into(),
            band: Some("network".into()),
            ..Annotation::default()
        }],
        roles: (0..3)
            .map(|p| RoleChange {
                time: 0,
                peer: format!("kv-{p}"),
                role: Some(if p == 0 { "leader" } else { "follower" }.into()),
                term: Some(1),
            })
            .collect(),
    };
    (ops, timeline)
}

#[test]
fn pictures_draw_in_a_real_browser() {
    let Some(browser) = chromium() else {
        assert!(
            !browser_required(),
            "no chromium found, and CI (or RAFT_LAB_BROWSER_REQUIRED) requires the browser test: \
             install Debian's chromium package, or name the binary in RAFT_LAB_CHROMIUM"
        );
        eprintln!(
            "picture_browser: SKIPPED: no chromium on PATH (install Debian's `chromium`, or set \
             RAFT_LAB_CHROMIUM); CI runs this test"
        );
        return;
    };

    // A passing KV run with a partition and a crash: bands and roles, nothing marked failing.
    let page = picture_of(2, || scenarios::kv(false));
    let pass = load(&browser, &page);
    println!(
        "passing KV run: {} ({} ms to draw)",
        page.display(),
        pass.render_ms
    );
    assert!(rects(&pass.layout, "failing").is_empty(), "{}", pass.layout);
    assert!(pass.layout["failline"].is_null() && pass.layout["linfail"].is_null());
    assert!(pass.layout["ops"].as_u64().unwrap() > 50, "{}", pass.layout);
    let bands: Vec<String> = rects(&pass.layout, "bands")
        .iter()
        .map(|b| b["name"].as_str().unwrap().to_string())
        .collect();
    assert!(bands.contains(&"network".to_string()), "{bands:?}");
    assert!(bands.iter().any(|b| b.ends_with(" down")), "{bands:?}");
    check_leader_is_green("passing KV run", &pass);
    check_a_band_is_drawn("passing KV run", &pass);

    // A linearizability failure: the stale read is drawn red where the page says it is.
    let page = picture_of(1, || scenarios::kv(true));
    let lin = load(&browser, &page);
    println!(
        "linearizability failure: {} ({} ms to draw)",
        page.display(),
        lin.render_ms
    );
    let failing = rects(&lin.layout, "failing");
    assert_eq!(failing.len(), 1, "{}", lin.layout);
    // Filled red, not only crossed by the red failure lines: most of its middle row is red.
    let (x0, y) = (failing[0]["x"].as_i64().unwrap(), middle(&failing[0]).1);
    let w = failing[0]["w"].as_i64().unwrap();
    let inside: Vec<_> = (x0 + 2..x0 + w - 2).map(|x| lin.shot.at(x, y)).collect();
    let red = inside.iter().filter(|&&p| is_red(p)).count();
    assert!(
        red * 10 >= inside.len() * 7,
        "the failing operation at x {x0}..{}, y {y} is {inside:?}",
        x0 + w
    );
    assert!(!lin.layout["linfail"].is_null(), "{}", lin.layout);
    check_leader_is_green("linearizability failure", &lin);

    // A Raft failure: no operations; roles, fault bands and the failure line.
    let page = picture_of(3, || scenarios::raft(true));
    let raft = load(&browser, &page);
    println!(
        "Raft failure: {} ({} ms to draw)",
        page.display(),
        raft.render_ms
    );
    assert_eq!(raft.layout["ops"], 0, "{}", raft.layout);
    let line = &raft.layout["failline"];
    assert!(!line.is_null(), "{}", raft.layout);
    let (x, _) = middle(line);
    let y = line["y"].as_i64().unwrap() + 40;
    assert!(
        is_red(raft.shot.at(x, y)),
        "the failure line at ({x}, {y}) is {:?}",
        raft.shot.at(x, y)
    );
    check_leader_is_green("Raft failure", &raft);
    check_a_band_is_drawn("Raft failure", &raft);

    // Big histories: the size of the page, and the time to load and draw it.
    for n in [1_000u64, 20_000] {
        let (ops, timeline) = big_history(n);
        let check = checker::check_ops(&ops, Budget::DEFAULT);
        assert!(check.is_ok(), "{check}");
        let html = checker::render(&Picture {
            title: format!("{n} operations"),
            failure: None,
            ops: &ops,
            check: Some(&check),
            timeline: &timeline,
            end: None,
        });
        let path = std::env::temp_dir().join(format!("raft-lab-browser-{n}-ops.html"));
        std::fs::write(&path, &html).unwrap();
        let big = load(&browser, &path);
        println!(
            "{n} operations: page {:.2} MB, loaded and drawn in {} ms ({} ms drawing)",
            html.len() as f64 / 1e6,
            big.loaded_ms,
            big.render_ms
        );
        assert_eq!(big.layout["ops"], n, "every operation is drawn");
        assert!(
            big.loaded_ms < 5000.0,
            "{n} operations took {} ms to load",
            big.loaded_ms
        );
        let _ = std::fs::remove_file(&path);
    }
}
