//! Rules: the built-in packs check themselves; gitleaks configs load unchanged; bad rule files
//! fail with one line naming the file and rule.

use crate::scantest;
use crate::util::hits;

const GITLEAKS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/gitleaks.toml");

scantest!(builtin_rules_check_passes, |dir| {
    let (code, out, err) = dir.cmd().args(["rules", "check"]).run();
    assert_eq!(code, 0, "{out}{err}");
    assert!(!out.contains("error"), "{out}");
    assert!(
        !out.contains("warning"),
        "every built-in rule has examples and negative examples:\n{out}"
    );
    let (_, list, _) = dir.cmd().args(["rules", "list", "--format", "json"]).run();
    let list: serde_json::Value = serde_json::from_str(&list).expect("json");
    let rules = list.as_array().expect("array");
    assert!(rules.len() >= 700, "only {} built-in rules", rules.len());
    for r in rules {
        assert!(r["provider"].is_string(), "rule without provider: {r}");
        assert!(
            !r["keywords"].as_array().expect("keywords").is_empty(),
            "rule without keywords: {r}"
        );
    }
});

scantest!(gitleaks_config_loads_unchanged, |dir| {
    let tok = "isvc_9b1c44e07a3d5f28c6e1b0d97f4a2c83";
    dir.create("src/a.go", format!("var t = \"{tok}\"\n"));
    dir.create("src/b.go", "var t = \"isvc_0f0f4e07a3d5f28c6e1b0d97f4a2c83\"\n");
    dir.create("testdata/c.txt", "isvc_feedface7a3d5f28c6e1b0d97f4a2c83\n");
    dir.create("other/c.txt", "isvc_feedface7a3d5f28c6e1b0d97f4a2c83\n");
    dir.create("vendor/d.go", format!("{tok}\n"));
    dir.create("README.md", format!("{tok}\n"));
    dir.create(
        "e.py",
        "legacy_key = \"Q7vN2kLp9RxT4mWz8YbC\"  # known-safe\nlegacy_key = \"H3jK8sDf2GhL5pQw9ZxV\"\n",
    );
    dir.create("keys/id_rsa", "not even a key");
    let (code, v) = dir.cmd().args(["scan", ".", "--config", GITLEAKS]).json();
    assert_eq!(code, 1, "{v}");
    assert_eq!(
        hits(&v),
        vec![
            ("internal-service-token".into(), "other/c.txt".into(), 1),
            ("internal-service-token".into(), "src/a.go".into(), 1),
            ("legacy-allowlist-form".into(), "e.py".into(), 2),
            ("private-key-file-name".into(), "keys/id_rsa".into(), 1),
        ]
    );
    // useDefault: built-in rules are active too.
    dir.create("f.env", "GITHUB_TOKEN=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\n");
    let (_, v) = dir.cmd().args(["scan", ".", "--config", GITLEAKS]).json();
    assert!(hits(&v).iter().any(|(_, p, _)| p == "f.env"), "{v}");
});

scantest!(config_is_discovered_in_scanned_directory, |dir| {
    dir.create(
        ".gitleaks.toml",
        "[[rules]]\nid = \"only-rule\"\nregex = '''only_[a-z]{12}'''\nkeywords = [\"only_\"]\n",
    );
    dir.create(
        "a.txt",
        "only_qwkzmnbvtrpl\nGITHUB_TOKEN=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\n",
    );
    // A config with rules and no [extend] replaces the built-in rules, as in gitleaks.
    let (code, v) = dir.cmd().args(["scan", "."]).json();
    assert_eq!(code, 1);
    assert_eq!(hits(&v), vec![("only-rule".into(), "a.txt".into(), 1)]);
    // .leakless.toml wins over .gitleaks.toml; allowlist-only config extends built-ins.
    dir.create(".leakless.toml", "[[allowlists]]\npaths = ['''^b/''']\n");
    dir.create(
        "b/x.txt",
        "GITHUB_TOKEN=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\n",
    );
    let (_, v) = dir.cmd().args(["scan", "."]).json();
    let h = hits(&v);
    assert!(h.iter().all(|(_, p, _)| p == "a.txt"), "{h:?}");
    assert!(h.iter().any(|(r, _, _)| r.starts_with("github")), "{h:?}");
});

scantest!(bad_toml_is_one_line_error_naming_file_and_line, |dir| {
    dir.create("bad.toml", "[[rules]]\nid = \"x\"\nregex = '''unterminated\n");
    let (code, out, err) = dir.cmd().args(["scan", ".", "--config", "bad.toml"]).run();
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("leakless: error: bad.toml: invalid rule file:"),
        "{err}"
    );
    assert!(err.contains("line "), "{err}");
});

scantest!(bad_regex_names_the_rule, |dir| {
    dir.create(
        "bad.toml",
        "[[rules]]\nid = \"lookbehind-rule\"\nregex = '''(?<=key=)[a-z]+'''\nkeywords = [\"key\"]\n",
    );
    let (code, _, err) = dir.cmd().args(["scan", ".", "--config", "bad.toml"]).run();
    assert_eq!(code, 2);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("bad.toml: rule 'lookbehind-rule': invalid regex: look-around"),
        "{err}"
    );

    dir.create(
        "group.toml",
        "[[rules]]\nid = \"g\"\nregex = '''a(b)'''\nsecretGroup = 3\n",
    );
    let (code, _, err) = dir.cmd().args(["rules", "check", "group.toml"]).run();
    assert_eq!(code, 2);
    assert!(
        err.contains("rule 'g': secretGroup 3 but the regex has only 1 capture group"),
        "{err}"
    );
});

scantest!(duplicate_rule_ids_are_rejected, |dir| {
    let rule = "[[rules]]\nid = \"dup\"\nregex = '''dup_[0-9]{8}'''\nkeywords = [\"dup_\"]\n";
    dir.create("a.toml", rule);
    dir.create("b.toml", rule);
    let (code, _, err) = dir
        .cmd()
        .args([
            "scan",
            ".",
            "--no-builtin-rules",
            "--rules",
            "a.toml",
            "--rules",
            "b.toml",
        ])
        .run();
    assert_eq!(code, 2);
    assert!(
        err.contains("b.toml: duplicate rule id 'dup' (already defined in a.toml)"),
        "{err}"
    );
});

scantest!(rules_check_reports_failing_examples, |dir| {
    dir.create(
        "r.toml",
        r#"[[rules]]
id = "r"
regex = '''\b(zz_[a-z]{10})\b'''
keywords = ["zz_"]
examples = ["zz_qwkzmnbvtr", "zz_short", "no keyword here"]
negative_examples = ["zz_plmoknijbu"]
"#,
    );
    let (code, out, _) = dir.cmd().args(["rules", "check", "r.toml"]).run();
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("rule 'r': error: example does not match: zz_short"),
        "{out}"
    );
    assert!(
        out.contains("rule 'r': error: example contains none of its keywords: no keyword here"),
        "{out}"
    );
    assert!(
        out.contains("rule 'r': error: negative example matches: zz_plmoknijbu"),
        "{out}"
    );
    assert!(out.contains("1 rules, 4 examples checked, 3 failures"), "{out}");
});

scantest!(rules_list_filters_by_provider_and_category, |dir| {
    let list = |args: &[&str]| -> Vec<serde_json::Value> {
        let (code, out, err) = dir.cmd().args(["rules", "list", "-f", "json"]).args(args).run();
        assert_eq!(code, 0, "{err}");
        let v: serde_json::Value = serde_json::from_str(&out).expect("json");
        v.as_array().expect("array").clone()
    };
    let all = list(&[]);
    let slack = list(&["--provider", "slack"]);
    assert!(slack.len() >= 10, "every Slack token kind: {}", slack.len());
    assert!(slack.iter().all(|r| r["provider"] == "slack"));
    assert_eq!(
        slack.len(),
        all.iter().filter(|r| r["provider"] == "slack").count()
    );
    // One provider, one pack: a provider's rules all sit in the pack of its category.
    assert!(slack.iter().all(|r| r["category"] == "messaging"), "{slack:?}");
    let cicd = list(&["--category", "cicd"]);
    assert!(!cicd.is_empty());
    assert!(cicd.iter().all(|r| r["source"] == "rules/cicd.toml"));
    let both = list(&["--category", "cicd", "--provider", "circleci"]);
    assert!(!both.is_empty() && both.len() < cicd.len());
    assert!(list(&["--provider", "no-such-provider"]).is_empty());
});

// issue 12, part 5: a hostile config's pathological pattern fails at load, naming its rule, before
// any file is read — not when a file first triggers it.
scantest!(pathological_user_regexes_fail_at_load_naming_the_rule, |dir| {
    dir.create("f.txt", "aaaa\n");
    dir.create(
        "huge.toml",
        "[[rules]]\nid = \"huge\"\nregex = '''(?:a{1,1000}){1,1000}'''\nkeywords = [\"aaaa\"]\n",
    );
    let (code, _, err) = dir.cmd().args(["scan", ".", "--config", "huge.toml"]).run();
    assert_eq!(code, 2, "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("huge.toml: rule 'huge': regex too large"), "{err}");

    let deep = format!("{}a{}", "(".repeat(100), ")".repeat(100));
    dir.create(
        "deep.toml",
        format!("[[rules]]\nid = \"deep\"\nregex = '''{deep}'''\nkeywords = [\"aaaa\"]\n"),
    );
    let (code, _, err) = dir.cmd().args(["scan", ".", "--config", "deep.toml"]).run();
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("rule 'deep': invalid regex: exceed the maximum number of nested"),
        "{err}"
    );

    // A wide but bounded pattern of the kind published configs use still loads.
    dir.create(
        "ok.toml",
        "[[rules]]\nid = \"ok\"\nregex = '''key[\\w.-]{0,50}\\s{0,5}=\\s{0,5}([a-z0-9]{32,4096})'''\nkeywords = [\"key\"]\n",
    );
    let (code, _, err) = dir.cmd().args(["scan", ".", "--config", "ok.toml"]).run();
    assert_eq!(code, 0, "{err}");
});
