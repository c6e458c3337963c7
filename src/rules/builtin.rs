//! The built-in rule packs, embedded in the binary at build time.

/// `(file name, TOML text)` of every built-in pack, in a fixed order.
pub const PACKS: &[(&str, &str)] = &[
    ("rules/ai.toml", include_str!("../../rules/ai.toml")),
    ("rules/cicd.toml", include_str!("../../rules/cicd.toml")),
    ("rules/cloud.toml", include_str!("../../rules/cloud.toml")),
    (
        "rules/credentials.toml",
        include_str!("../../rules/credentials.toml"),
    ),
    ("rules/databases.toml", include_str!("../../rules/databases.toml")),
    ("rules/devtools.toml", include_str!("../../rules/devtools.toml")),
    ("rules/generic.toml", include_str!("../../rules/generic.toml")),
    ("rules/iot.toml", include_str!("../../rules/iot.toml")),
    ("rules/keys.toml", include_str!("../../rules/keys.toml")),
    ("rules/messaging.toml", include_str!("../../rules/messaging.toml")),
    (
        "rules/monitoring.toml",
        include_str!("../../rules/monitoring.toml"),
    ),
    ("rules/payments.toml", include_str!("../../rules/payments.toml")),
    (
        "rules/secrets-managers.toml",
        include_str!("../../rules/secrets-managers.toml"),
    ),
    ("rules/saas.toml", include_str!("../../rules/saas.toml")),
    ("rules/social.toml", include_str!("../../rules/social.toml")),
    ("rules/vcs.toml", include_str!("../../rules/vcs.toml")),
];
