//! The assignment detector end to end: dotenv files, id/secret pairing, decoding, and the formats
//! secrets are committed in.

use crate::scantest;
use crate::util::hits;

fn h(rule: &str, path: &str, line: u64) -> (String, String, u64) {
    (rule.to_string(), path.to_string(), line)
}

scantest!(infisical_pair_in_env_dev_is_one_finding_naming_both_keys, |dir| {
    dir.create(
        ".env.dev",
        "# dev\nINFISICAL_CLIENT_ID=9a1f3c2e-7b4d-4e8a-b6c1-2d3e4f5a6b7c\nINFISICAL_CLIENT_SECRET=5f2b9c8e1a7d4f3b6e0c9a8d7f1e2b3c4d5a6f7e8b9c0d1e2f3a4b5c6d7e8f90\n",
    );
    dir.create(".env.example", "INFISICAL_CLIENT_ID=\nINFISICAL_CLIENT_SECRET=\n");
    let (code, v) = dir.cmd().args(["scan", "."]).json();
    assert_eq!(code, 1);
    assert_eq!(
        hits(&v),
        vec![
            h("committed-dotenv-file", ".env.dev", 1),
            h("infisical-universal-auth-client-secret", ".env.dev", 3),
        ]
    );
    let f = &v["findings"][1];
    assert_eq!(f["key"], "INFISICAL_CLIENT_SECRET");
    assert_eq!(f["paired_with"]["key"], "INFISICAL_CLIENT_ID");
    assert_eq!(f["paired_with"]["preview"], "9a1f…");
    let (_, text, _) = dir.cmd().args(["scan", ".", "--color", "never"]).run();
    assert!(text.contains("paired with: INFISICAL_CLIENT_ID"), "{text}");
    assert!(!text.contains("7b4d-4e8a"), "the id is shown redacted");
});

scantest!(env_example_with_empty_values_yields_nothing, |dir| {
    dir.create(
        ".env.example",
        "INFISICAL_CLIENT_ID=\nINFISICAL_CLIENT_SECRET=\nDB_PASSWORD=\nAPI_TOKEN=<your-token>\n",
    );
    let (code, v) = dir.cmd().args(["scan", "."]).json();
    assert_eq!(code, 0, "{v}");
});

scantest!(
    generic_secret_without_provider_prefix_is_found_with_its_key,
    |dir| {
        dir.create(
        "deploy/.env.staging",
        "export BILLING_WEBHOOK_SECRET=\"q9Lm2xVb7kR4tW8zP3nY6cJ1\"\nDB_PASSWORD=Xq8vLm2pRtK4 # rotate me\nAPI_TOKEN=${API_TOKEN}\nMULTI=\"a\nb\"\nSESSION_SECRET='Hs72kPq9Lm3xWv8Z'\n",
    );
        let (_, v) = dir.cmd().args(["scan", "."]).json();
        assert_eq!(
            hits(&v),
            vec![
                h("committed-dotenv-file", "deploy/.env.staging", 1),
                h("generic-password-assignment", "deploy/.env.staging", 2),
                h("generic-secret-assignment", "deploy/.env.staging", 1),
                h("generic-secret-assignment", "deploy/.env.staging", 6),
            ]
        );
        let keys: Vec<&str> = v["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter_map(|f| f["key"].as_str())
            .collect();
        assert_eq!(
            keys,
            vec!["BILLING_WEBHOOK_SECRET", "DB_PASSWORD", "SESSION_SECRET"]
        );
    }
);

scantest!(compose_dockerfile_k8s_env_and_code_forms, |dir| {
    dir.create(
        "docker-compose.yml",
        "services:\n  api:\n    environment:\n      - API_TOKEN=Zk4mQ8vR2xL9pT6wY3bN\n      - \"SMTP_PASSWORD=n7Rk2qLw9x\"\n  web:\n    environment:\n      SIGNING_KEY: Hq3Lx8vNm2RkTz6w\n",
    );
    dir.create(
        "Dockerfile",
        "FROM alpine\nENV INTERNAL_API_KEY Ws8kPq2Lm9xV4zTb\n",
    );
    dir.create(
        "k8s/deploy.yaml",
        "spec:\n  containers:\n    - env:\n        - name: DB_PASSWORD\n          value: \"Jd83kLq9Wm2\"\n",
    );
    dir.create(
        "src/app.ts",
        "const apiSecret = \"mR3kW9xQ2vL8pZ7tY4bN\";\nconst other = process.env.API_SECRET;\n",
    );
    dir.create("src/app.py", "client = Client(api_key='Vb7kQm2xPz9wT4hL')\n");
    let (_, v) = dir.cmd().args(["scan", "."]).json();
    assert_eq!(
        hits(&v),
        vec![
            h("generic-password-assignment", "docker-compose.yml", 5),
            h("generic-password-assignment", "k8s/deploy.yaml", 5),
            h("generic-secret-assignment", "Dockerfile", 2),
            h("generic-secret-assignment", "docker-compose.yml", 4),
            h("generic-secret-assignment", "docker-compose.yml", 8),
            h("generic-secret-assignment", "src/app.py", 1),
            h("generic-secret-assignment", "src/app.ts", 1),
        ]
    );
});

scantest!(provider_rule_wins_over_generic, |dir| {
    dir.create(
        "ci/env.sh",
        "export SLACK_BOT_TOKEN=\"xoxb-27878291694-1103255882238-l98pVB1UKXgrwhDeRObREDxz\"\n",
    );
    let (_, v) = dir.cmd().args(["scan", "."]).json();
    assert_eq!(hits(&v), vec![h("slack-bot-token", "ci/env.sh", 1)]);
    assert_eq!(v["findings"][0]["key"], "SLACK_BOT_TOKEN");
});

scantest!(kubernetes_secret_base64_password_is_found_at_its_line, |dir| {
    // password: base64("Vq7#kR2m!Lx9pT"); username: base64("billing"). A ConfigMap's `data:` is
    // not base64 to the assignment detector (no generic finding for its keys), but a base64 run
    // holding a provider token is decoded wherever it is (`decoded: ["base64"]`).
    dir.create(
        "k8s/db-secret.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\ndata:\n  username: YmlsbGluZw==\n  password: VnE3I2tSMm0hTHg5cFQ=\n---\napiVersion: v1\nkind: ConfigMap\ndata:\n  .env: R0lUSFVCX1RPS0VOPWdocF9xYjM4SnpmcWZCOG1FZlFTZTh0ZlNnQXZBMnNHVFM0NXBnZk8=\n",
    );
    let (_, v) = dir.cmd().args(["scan", "."]).json();
    assert_eq!(
        hits(&v),
        vec![
            h("generic-password-assignment", "k8s/db-secret.yaml", 8),
            h("github-pat-classic", "k8s/db-secret.yaml", 13)
        ]
    );
    let f = &v["findings"][0];
    assert_eq!(f["key"], "password");
    assert_eq!(f["locations"][0]["column"], 13);
    assert_eq!(f["locations"][0]["decoded"], serde_json::json!(["base64"]));
    assert_eq!(f["confidence"], "low");
    let g = &v["findings"][1];
    assert_eq!(g["locations"][0]["decoded"], serde_json::json!(["base64"]));
    assert_eq!(g["locations"][0]["column"], 9, "reported at the encoded run");
    assert_eq!(g["confidence"], "high");
    let (_, v) = dir.cmd().args(["scan", ".", "--no-redact"]).json();
    assert_eq!(v["findings"][0]["secret"], "Vq7#kR2m!Lx9pT", "the decoded secret");
});

scantest!(decoded_provider_tokens_docker_auth_and_kubeconfig, |dir| {
    // base64("GITHUB_TOKEN=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")
    dir.create(
        "k8s/app.yaml",
        "kind: Secret\nstringData:\n  mode: prod\ndata:\n  .env: R0lUSFVCX1RPS0VOPWdocF9xYjM4SnpmcWZCOG1FZlFTZTh0ZlNnQXZBMnNHVFM0NXBnZk8=\n",
    );
    // base64("ci-bot:Q3yVt8wLr2Zk")
    dir.create(
        ".docker/config.json",
        "{\n  \"auths\": {\n    \"registry.internal:5000\": {\n      \"auth\": \"Y2ktYm90OlEzeVZ0OHdMcjJaaw==\"\n    }\n  }\n}\n",
    );
    let (_, v) = dir.cmd().args(["scan", "."]).json();
    assert_eq!(
        hits(&v),
        vec![
            h("docker-config-auth", ".docker/config.json", 4),
            h("github-pat-classic", "k8s/app.yaml", 5),
        ]
    );
});

scantest!(hard_negatives_in_config_are_quiet, |dir| {
    dir.create(
        "config/app.yaml",
        concat!(
            "api_token: ${{ secrets.API_TOKEN }}\n",
            "client_secret: 0e004b50-abf4-4b88-950b-43478e509e4e\n",
            "signing_secret: ENC[AES256_GCM,data:p673wQ==,iv:YYq=,tag:Qw==,type:str]\n",
            "ssh_public_key: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx0Zk4mQ8vR2xL9pT6wY3bN deploy@ci\n",
            "tls_private_key: /etc/ssl/private/server.key\n",
            "oauth_token: https://auth.corp.io/oauth/token\n",
            "avatar_token: data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB\n",
            "commit_sha_token: 7c57aad11420a85d014b567557d391c37f26e12d\n",
            "db_password: !vault |\n",
            "admin_password: changeme\n",
            "jwt_secret: super-secret-jwt-signing-value\n",
        ),
    );
    let (code, v) = dir.cmd().args(["scan", "."]).json();
    assert_eq!(code, 0, "{v}");
});

scantest!(
    percent_encoded_and_json_escaped_secrets_are_found_at_the_encoded_place,
    |dir| {
        dir.create(
        "config/app.json",
        "{\n  \"region\": \"eu-west-1\",\n  \"aws_secret_access_key\": \"wJalrXUtnFEMI\\/K7MDENG\\/bPxRfiCYzzKEYq1AbC\"\n}\n",
    );
        dir.create(
        "logs/redirect.txt",
        "GET /login?next=https%3A%2F%2Fhooks.slack.com%2Fservices%2F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&x=1\n",
    );
        let (code, v) = dir.cmd().args(["scan", ".", "--no-redact"]).json();
        assert_eq!(code, 1);
        let got: Vec<(String, String, u64, u64, String)> = v["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| {
                let l = &f["locations"][0];
                (
                    f["rule_id"].as_str().expect("rule").to_string(),
                    l["path"].as_str().expect("path").to_string(),
                    l["line"].as_u64().expect("line"),
                    l["column"].as_u64().expect("column"),
                    f["secret"].as_str().expect("secret").to_string(),
                )
            })
            .collect();
        assert!(
            got.iter().any(|(r, p, l, c, s)| r == "aws-secret-access-key"
                && p == "config/app.json"
                && *l == 3
                && *c == 29
                && s == "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzKEYq1AbC"),
            "{got:?}"
        );
        assert!(
            got.iter().any(|(r, p, l, c, _)| r.starts_with("slack-")
                && p == "logs/redirect.txt"
                && *l == 1
                && *c == 17),
            "{got:?}"
        );
    }
);

scantest!(one_token_two_rules_is_one_finding_of_the_provider_rule, |dir| {
    // A Home Assistant long-lived token is a JWT: the generic `jwt` rule matches it too. The
    // provider's own rule keeps it; the generic one is not reported a second time.
    let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJhOTJmNzg0ZTBiZDI0ZmM3YTI3ZjYwMWVhN2FmY2M4YSIsImlhdCI6MTcwMDAwMDAwMCwiZXhwIjoyMDE1MzYwMDAwfQ.Zk3mQ8vT1pXr7LwN2yBc5HdJ0sGfA9eKuI4oVtR6qWx";
    dir.create("config/hass.yaml", format!("hass_token: {jwt}\n"));
    dir.create("config/other.yaml", format!("session: {jwt}\n"));
    let (code, v) = dir.cmd().args(["scan", "."]).json();
    assert_eq!(code, 1);
    assert_eq!(
        hits(&v),
        vec![
            h("home-assistant-long-lived-token", "config/hass.yaml", 1),
            h("jwt", "config/other.yaml", 1),
        ]
    );
});
