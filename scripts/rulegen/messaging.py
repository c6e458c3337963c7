"""Spec of rules/messaging.toml: chat, email, SMS/voice, push and realtime providers.

Regenerate every pack with `python3 scripts/rulegen/regen.py`: it runs this spec and moves each
rule to the pack of its provider's category (`PACK_OF` in regen.py), so some rules written here
live in another pack.

Why this exists: the messaging pack is the place a newcomer looks for Slack, Discord, Telegram,
Teams, the e-mail APIs, the SMS/voice APIs and the push/realtime services. The first rules of the
pack were written by hand; this spec keeps them verbatim (read back by id from scripts/rulegen/hand/messaging.toml, given the
`confidence` and gitleaks `aliases` fields they lacked) and adds the rest of every family from the
providers' documented token formats.

Run: python3 scripts/rulegen/regen.py
"""

import contextlib
import io
import os
import sys
import tomllib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rulegen import *  # noqa: E402,F401,F403

reseed(0x3E55A9E)

PACK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "rules", "messaging.toml")

# Hand-written rules kept as they are: id -> (confidence, gitleaks aliases).
HANDWRITTEN = {
    "slack-bot-token": ("high", ["slack-bot-token"]),
    "slack-user-token": ("high", ["slack-user-token"]),
    "slack-app-level-token": ("high", ["slack-app-token"]),
    "slack-config-access-token": ("high", ["slack-config-access-token"]),
    "slack-config-refresh-token": ("high", ["slack-config-refresh-token"]),
    "slack-legacy-token": ("high", ["slack-legacy-token", "slack-legacy-workspace-token"]),
    "slack-incoming-webhook-url": ("high", ["slack-webhook-url"]),
    "slack-workflow-webhook-url": ("high", ["slack-webhook-url"]),
    "discord-bot-token": ("high", []),
    "discord-webhook-url": ("high", []),
    "telegram-bot-token": ("high", ["telegram-bot-api-token"]),
    "microsoft-teams-incoming-webhook-url": ("high", ["microsoft-teams-webhook"]),
    "microsoft-teams-workflow-webhook-url": ("high", []),
    "twilio-account-sid": ("medium", []),
    "twilio-auth-token": ("medium", []),
    "twilio-sid-auth-token-pair": ("high", []),
    "twilio-api-key-sid": ("medium", ["twilio-api-key"]),
    "sendgrid-api-key": ("high", ["sendgrid-api-token"]),
    "mailgun-api-key": ("high", ["mailgun-private-api-token"]),
    "mailgun-private-api-key": ("medium", ["mailgun-signing-key"]),
    "mailchimp-api-key": ("high", ["mailchimp-api-key"]),
    "postmark-server-token": ("medium", []),
    "mandrill-api-key": ("medium", []),
    "brevo-api-key": ("high", ["sendinblue-api-token"]),
    "brevo-smtp-key": ("high", []),
    "resend-api-key": ("high", []),
    "vonage-api-secret": ("medium", []),
    "messagebird-access-key": ("medium", ["messagebird-api-token"]),
    "zendesk-api-token": ("medium", ["zendesk-secret-key"]),
    "intercom-access-token": ("high", ["intercom-api-key"]),
    "pusher-app-secret": ("medium", []),
    "firebase-cloud-messaging-server-key": ("high", []),
}


def discord_keywords():
    """A Discord bot token opens with the base64 of the bot's decimal user id (a snowflake of
    17 to 20 digits; discord.py's token docs: "base64.b64decode -> User ID"), so its first four
    characters are the base64 of the id's first three digits: 900 prefixes, which find a bare
    token with no "discord" near it. The prefilter folds case, and the prefixes that fold to
    frequent text (`NDEx` is `index`, `ODAy` `today`, `NTAx` `syntax`; more than 1,000 hits on
    1.8 GB of real code, crate sources and PyPI/npm packages, 2026-12-06) are lengthened by
    the next group's first two characters, which fold to nothing common (`ndexmt`)."""
    import base64
    frequent = {111, 402, 411, 421, 501, 511, 523, 802, 810, 811, 816, 911}
    out = ["discord"]
    for n in range(100, 1000):
        p = base64.b64encode(str(n).encode()).decode()
        out += [p + a + b for a in "MNO" for b in "DTjz"] if n in frequent else [p]
    return out


# Every "SK" + two hex digits: a Twilio API key SID is found without "twilio" near it.
TWILIO_SK_KEYWORDS = ["twilio"] + ["sk" + a + b for a in HEXL for b in HEXL]

# Keyword fixes on hand-written rules ("-us" alone hits every en-us, -user, -use).
KEYWORDS_OVERRIDE = {
    "mailchimp-api-key": ["-us" + d for d in "123456789"],
    "discord-bot-token": discord_keywords(),
    "twilio-api-key-sid": TWILIO_SK_KEYWORDS,
}

# Rules whose keywords sit in the token itself search only the keyword's line.
WINDOW_OVERRIDE = {"discord-bot-token": 64}

# The first part of a Discord token is base64 (unpadded) of ASCII digits: groups of four
# characters `[MNO][DTjz][AEIMQUYcgk][w-z0-5]` for three digits, then `[MNO][AQgw]` for one
# digit left over or `[MNO][DTjz][AEIMQUYcgk]` for two: 23, 24, 26 or 27 characters for ids of
# 17 to 20 digits.
DISCORD_ID_B64 = (r"(?:[MNO][DTjz][AEIMQUYcgk][w-z0-5]){5}(?:[MNO][DTjz][AEIMQUYcgk]"
                  r"|[MNO][DTjz][AEIMQUYcgk][w-z0-5](?:[MNO][AQgw]|[MNO][DTjz][AEIMQUYcgk])?)")


# Bounded quantifiers in place of the hand-written rules' `+`/`*` (every repetition bounded).
# Teams workflow URLs on *.logic.azure.com are Logic Apps trigger URLs like any other and are reported
# by azure-logic-apps-trigger-url (rules/cloud.toml); this rule keeps the Power Platform host only.
REGEX_OVERRIDE = {
    "discord-bot-token": (
        r"(?:^|[^A-Za-z0-9_\-])(" + DISCORD_ID_B64 + r"\.[A-Za-z0-9_\-]{6}\.[A-Za-z0-9_\-]{27,38})(?:[^A-Za-z0-9_\-]|$)"),
    "microsoft-teams-incoming-webhook-url": (
        r"(https://(?:[a-z0-9\-]{1,63}\.webhook\.office\.com/webhookb2|outlook\.office(?:365)?\.com/webhook)"
        r"/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}@[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
        r"/IncomingWebhook/[0-9a-f]{32}/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
        r"(?:/[A-Za-z0-9_\-]{20,80})?)(?:[^A-Za-z0-9_\-]|$)"),
    "microsoft-teams-workflow-webhook-url": (
        r"(https://[a-z0-9.\-]{1,120}\.api\.powerplatform\.com(?::443)?"
        r"/[A-Za-z0-9/._\-]{0,120}workflows/[0-9a-f]{32}/triggers/[A-Za-z0-9_\-]{1,80}/paths/invoke/?"
        r"\?[^\s\"'<>]{0,300}?sig=[A-Za-z0-9_%\-]{43,86})"),
}

# A third negative for hand-written rules that had two: a look-alike of the right shape elsewhere.
NEGATIVES_EXTRA = {
    "brevo-api-key": ["xkeysib-<your-api-key>-<suffix>"],
    "brevo-smtp-key": ["SMTP_PASSWORD=xsmtpsib-" + hexs(64)],
    "discord-webhook-url": ["https://discord.com/api/webhooks/" + digits(19)],
    "firebase-cloud-messaging-server-key": ["FCM_SERVER_KEY=AAAA" + b62(7) + ":APA91b<rest-of-key>"],
    "intercom-access-token": ["INTERCOM_ACCESS_TOKEN=${INTERCOM_ACCESS_TOKEN}"],
    "microsoft-teams-incoming-webhook-url": [
        f"https://contoso.webhook.office.com/webhookb2/{uuid4()}@{uuid4()}/IncomingWebhook/<id>/{uuid4()}"],
    "microsoft-teams-workflow-webhook-url": [
        "https://prod-00.westus.logic.azure.com:443/workflows/" + hexs(32) + "/triggers/manual/paths/invoke?sig="],
    "slack-config-access-token": ["SLACK_CONFIG_TOKEN=${SLACK_CONFIG_TOKEN}"],
    "slack-config-refresh-token": ["the refresh token starts with xoxe-1- and is rotated every 12 hours"],
    "slack-workflow-webhook-url": ["https://hooks.slack.com/workflows/T00000000/A00000000/000000000000/" + "x" * 32],
    "twilio-api-key-sid": ["TWILIO_API_KEY=SK" + hexs(16) + "  # twilio"],
    "twilio-sid-auth-token-pair": ["twilio: Client('AC" + hexs(32) + "', 'your_auth_token')"],
}


def handwritten():
    with open(hand_path("messaging"), "rb") as f:
        pack = tomllib.load(f)
    assert pack.get("rules"), "scripts/rulegen/hand/messaging.toml holds no rules"
    out = []
    for r in pack["rules"]:
        if r["id"] not in HANDWRITTEN:
            continue
        conf, aliases = HANDWRITTEN[r["id"]]
        kw = KEYWORDS_OVERRIDE.get(r["id"], r["keywords"])
        rx = REGEX_OVERRIDE.get(r["id"], r["regex"])
        neg = list(r["negative_examples"])
        for extra in NEGATIVES_EXTRA.get(r["id"], []):
            if extra not in neg and len(neg) < 3:
                neg.append(extra)
        out.append(reskeleton(rule(r["id"], r["provider"], r["description"], rx, kw,
                        r["examples"], neg, severity=r["severity"],
                        confidence=conf, entropy=r.get("entropy"),
                        secret_group=r.get("secretGroup", 1), env_var=r.get("env_var"),
                        rotate=r.get("rotate"), aliases=aliases,
                        window=WINDOW_OVERRIDE.get(r["id"], r.get("window")))))
    missing = set(HANDWRITTEN) - {r["id"] for r in out}
    assert not missing, f"hand-written rules missing from the pack: {sorted(missing)}"
    return out


SEP_ = r"[_.\-]?"  # between words of a key name


rules = []
R = rules.append

# ------------------------------------------------------------------------------------ Slack
R(prefix_rule(
    "slack-legacy-bot-token", "slack", "Slack legacy bot token (xoxb- with two parts)",
    regex=r"\b(xoxb-[0-9]{8,14}-[A-Za-z0-9]{18,26})\b", keywords=["xoxb-"],
    sample=lambda: f"xoxb-{digits(12)}-{b62(24)}", env_var="SLACK_BOT_TOKEN",
    rotate="https://api.slack.com/apps", entropy=3.0, aliases=["slack-legacy-bot-token"],
    negatives=["SLACK_BOT_TOKEN=xoxb-123456789012-your-bot-token",
               "xoxb-1234567-ShortTail",
               f"xoxb-{digits(12)}-{digits(12)}-{b62(24)}",
               "token = 'xoxb-000000000000-xxxxxxxxxxxxxxxxxxxxxxxx'"]))

R(prefix_rule(
    "slack-session-token", "slack", "Slack client session token (xoxc-) from a logged-in browser",
    regex=r"\b(xoxc-[0-9]{8,14}-[0-9]{8,14}-[0-9]{8,14}-[a-f0-9]{64})\b", keywords=["xoxc-"],
    sample=lambda: f"xoxc-{digits(12)}-{digits(12)}-{digits(13)}-{hexs(64)}",
    env_var="SLACK_XOXC_TOKEN", rotate="https://slack.com/help/articles/214613347",
    severity="critical",
    negatives=["SLACK_XOXC_TOKEN=xoxc-...",
               f"xoxc-{digits(12)}-{digits(12)}-{digits(13)}-{hexs(32)}",
               "the slack web client keeps an xoxc- token in localStorage"]))

R(prefix_rule(
    "slack-session-cookie", "slack", "Slack session cookie value d= (xoxd-)",
    regex=r"\b(xoxd-(?:[A-Za-z0-9]|%2[BbFf]|%3[Dd]){60,400})(?:[^A-Za-z0-9%]|$)", keywords=["xoxd-"],
    sample=lambda: "xoxd-" + b62(70) + "%2F" + b62(40) + "%2B" + b62(30) + "%3D",
    env_var="SLACK_XOXD_COOKIE", rotate="https://slack.com/help/articles/214613347",
    severity="critical", entropy=4.0,
    negatives=["SLACK_XOXD_COOKIE=xoxd-<cookie>",
               "xoxd-" + b62(30),
               "cookie d=xoxd-... (copy it from the browser devtools)"]))

R(ctx_rule(
    "slack-signing-secret", "slack", "Slack app signing secret (32 hex) near a Slack signing-secret key",
    name=r"slack" + SEP_ + r"(?:app" + SEP_ + r")?signing" + SEP_ + r"secret",
    key="SLACK_SIGNING_SECRET", value=HEX(32), keywords=kforms("signing", "secret"),
    rotate="https://api.slack.com/authentication/verifying-requests-from-slack"))

R(ctx_rule(
    "slack-client-secret", "slack", "Slack app OAuth client secret (32 hex)",
    name=r"slack" + SEP_ + r"(?:app" + SEP_ + r"|oauth" + SEP_ + r")?client" + SEP_ + r"secret",
    key="SLACK_CLIENT_SECRET", value=HEX(32), keywords=["slack"],
    rotate="https://api.slack.com/apps"))

R(ctx_rule(
    "slack-verification-token", "slack", "Slack app verification token (legacy, 24 characters)",
    name=r"slack" + SEP_ + r"(?:app" + SEP_ + r")?verification" + SEP_ + r"token",
    key="SLACK_VERIFICATION_TOKEN", value=ALNUM(24), keywords=["slack"], entropy=3.5,
    severity="medium", rotate="https://api.slack.com/apps"))

# ---------------------------------------------------------------------------------- Discord
R(ctx_rule(
    "discord-client-secret", "discord", "Discord application OAuth2 client secret (32 characters)",
    name=r"discord" + SEP_ + r"(?:app" + SEP_ + r"|oauth2?" + SEP_ + r"|bot" + SEP_ + r")?client" + SEP_ + r"secret",
    key="DISCORD_CLIENT_SECRET", value=URLSAFE(32), keywords=["discord"], entropy=3.5,
    rotate="https://discord.com/developers/applications", aliases=["discord-client-secret"]))

# ------------------------------------------------------------------------ self-hosted chat
R(ctx_rule(
    "mattermost-access-token", "mattermost",
    "Mattermost personal access / bot token (26 lowercase alphanumerics)",
    name=r"mattermost" + SEP_ + r"(?:bot" + SEP_ + r"|personal" + SEP_ + r"|access" + SEP_ + r"|api" + SEP_ + r"|admin" + SEP_ + r")?(?:access" + SEP_ + r")?token",
    key="MATTERMOST_ACCESS_TOKEN", value=LOWERNUM(26), keywords=["mattermost"], entropy=3.5,
    rotate="https://docs.mattermost.com/developer/personal-access-tokens.html",
    aliases=["mattermost-access-token"]))

R(rule(
    "mattermost-incoming-webhook-url", "mattermost",
    "Mattermost incoming webhook URL (/hooks/ + 26-character id) near a Mattermost reference",
    r"(https?://[A-Za-z0-9.\-]{1,100}(?::[0-9]{2,5})?/hooks/[a-z0-9]{26})(?:[^A-Za-z0-9_\-]|$)",
    ["mattermost"],
    [f"MATTERMOST_WEBHOOK_URL=https://chat.acmecorp.io/hooks/{alnum_lower(26)}",
     f"mattermost:\n  webhook: \"https://mattermost.internal:8065/hooks/{alnum_lower(26)}\""],
    ["MATTERMOST_WEBHOOK_URL=https://chat.acmecorp.io/hooks/<hook-id>",
     f"mattermost docs: https://developers.mattermost.com/integrate/webhooks/incoming/",
     f"MATTERMOST_WEBHOOK_URL=https://chat.acmecorp.io/hooks/{alnum_lower(12)}"],
    severity="medium", confidence="medium", entropy=3.2, env_var="MATTERMOST_WEBHOOK_URL",
    rotate="https://developers.mattermost.com/integrate/webhooks/incoming/"))

R(ctx_rule(
    "rocketchat-personal-access-token", "rocketchat",
    "Rocket.Chat personal access token (X-Auth-Token, 43 characters)",
    name=r"rocket" + SEP_ + r"chat" + SEP_ + r"(?:auth" + SEP_ + r"|access" + SEP_ + r"|personal" + SEP_ + r"|admin" + SEP_ + r"|api" + SEP_ + r")?(?:access" + SEP_ + r")?token",
    key="ROCKETCHAT_AUTH_TOKEN", value=URLSAFE(43), keywords=kforms("rocket", "chat"),
    entropy=4.0, rotate="https://docs.rocket.chat/docs/manage-personal-access-tokens"))

R(rule(
    "rocketchat-incoming-webhook-url", "rocketchat",
    "Rocket.Chat incoming integration webhook URL (/hooks/<id>/<token>)",
    r"(https?://[A-Za-z0-9.\-]{1,100}(?::[0-9]{2,5})?/hooks/[A-Za-z0-9]{17,24}/[A-Za-z0-9]{40,64})(?:[^A-Za-z0-9_\-]|$)",
    kforms("rocket", "chat"),
    [f"ROCKETCHAT_WEBHOOK_URL=https://chat.acmecorp.io/hooks/{b62(24)}/{b62(48)}",
     f"rocket_chat:\n  url: https://rocket.internal:3000/hooks/{b62(17)}/{b62(48)}"],
    ["ROCKETCHAT_WEBHOOK_URL=https://chat.acmecorp.io/hooks/<integration-id>/<token>",
     f"ROCKETCHAT_WEBHOOK_URL=https://chat.acmecorp.io/hooks/{b62(24)}/{b62(12)}",
     "rocket.chat docs: https://docs.rocket.chat/use-rocket.chat/workspace-administration/integrations"],
    severity="medium", confidence="medium", entropy=3.5, env_var="ROCKETCHAT_WEBHOOK_URL",
    rotate="https://docs.rocket.chat/docs/integrations"))

R(ctx_rule(
    "zulip-api-key", "zulip", "Zulip bot / user API key (32 alphanumerics)",
    name=r"zulip" + SEP_ + r"(?:bot" + SEP_ + r"|user" + SEP_ + r")?(?:api" + SEP_ + r")?key",
    key="ZULIP_API_KEY", value=ALNUM(32), keywords=["zulip"], entropy=3.5,
    rotate="https://zulip.com/api/api-keys",
    extra_examples=[f"zulip_api_key: {b62(32)}"]))

R(rule(
    "zulip-zuliprc-api-key", "zulip", "Zulip API key in a zuliprc file ([api] key=)",
    r"(?s)\[api\][^\[]{0,300}?\bkey\s{0,3}=\s{0,3}([A-Za-z0-9]{32})\b",
    ["zuliprc", "zulip"],
    [f"# zuliprc\n[api]\nemail=notify-bot@zulip.example.com\nkey={b62(32)}\nsite=https://zulip.example.com\n",
     f"[api]\nkey={b62(32)}\nemail=ops-bot@chat.zulip.example\nsite=https://chat.zulip.example\n"],
    ["[api]\nemail=bot@zulip.example.com\nkey=<API key>\nsite=https://zulip.example.com",
     f"# zulip\n[api]\nkey={b62(16)}\n",
     "# zulip\n[api]\nkey=${ZULIP_API_KEY}\n"],
    entropy=3.5, env_var="ZULIP_API_KEY", rotate="https://zulip.com/api/api-keys"))

R(ctx_rule(
    "gitter-access-token", "gitter", "Gitter personal access token (40 hex)",
    name=r"gitter" + SEP_ + r"(?:api" + SEP_ + r"|access" + SEP_ + r"|personal" + SEP_ + r"|bot" + SEP_ + r")?(?:token|key)",
    key="GITTER_TOKEN", value=HEX(40), keywords=["gitter"],
    rotate="https://developer.gitter.im/apps", aliases=["gitter-access-token"]))

# ---------------------------------------------------------------------------------- e-mail
R(prefix_rule(
    "mailgun-public-validation-key", "mailgun", "Mailgun public validation key (pubkey-)",
    regex=r"\b(pubkey-[0-9a-f]{32})\b", keywords=["pubkey-"],
    sample=lambda: "pubkey-" + hexs(32), env_var="MAILGUN_PUBLIC_KEY", severity="medium",
    rotate="https://app.mailgun.com/settings/api_security", aliases=["mailgun-pub-key"],
    negatives=["MAILGUN_PUBLIC_KEY=pubkey-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
               "MAILGUN_PUBLIC_KEY=pubkey-" + hexs(20),
               "ssh pubkey-" + b62(32) + " from the agent"]))

# Mailgun webhook signing keys have the private API key format: "mailgun-private-api-key".
R(rule(
    "mandrill-api-key-md", "mandrill", "Mailchimp Transactional (Mandrill) API key with md- prefix",
    r"\b(md-[A-Za-z0-9_\-]{22})(?:[^A-Za-z0-9_\-]|$)", ["mandrill"],
    [f"MANDRILL_API_KEY=md-{b62(22)}",
     f"mandrill_client = MailchimpTransactional.Client('md-{b62(22)}')",
     f"# mandrill smtp\nSMTP_PASSWORD=\"md-{b64url(22)}\""],
    ["MANDRILL_API_KEY=md-your-api-key",
     f"mandrill: md-{b62(10)}",
     "mandrill docs use md-xxxxxxxxxxxxxxxxxxxxxx as a placeholder"],
    entropy=3.5, env_var="MANDRILL_API_KEY", rotate="https://mandrillapp.com/settings"))

R(ctx_rule(
    "mailjet-api-key", "mailjet", "Mailjet API key (public part, 32 hex)",
    name=r"(?:mailjet|\bmj)" + SEP_ + r"(?:apikey" + SEP_ + r")?(?:api" + SEP_ + r")?(?:public" + SEP_ + r")?key",
    key="MAILJET_API_KEY", value=HEX(32), keywords=["mailjet", "mj_apikey", "mj-apikey"],
    severity="medium", rotate="https://app.mailjet.com/account/apikeys"))

R(ctx_rule(
    "mailjet-secret-key", "mailjet", "Mailjet API secret key (private part, 32 hex)",
    name=r"(?:mailjet|\bmj)" + SEP_ + r"(?:apikey" + SEP_ + r")?(?:api" + SEP_ + r")?(?:secret|private)(?:" + SEP_ + r"key)?",
    key="MAILJET_SECRET_KEY", value=HEX(32), keywords=["mailjet", "mj_apikey", "mj-apikey"],
    rotate="https://app.mailjet.com/account/apikeys"))

R(ctx_rule(
    "mailjet-sms-token", "mailjet", "Mailjet SMS API bearer token (32 alphanumerics)",
    name=r"mailjet" + SEP_ + r"sms" + SEP_ + r"(?:api" + SEP_ + r")?(?:token|key)",
    key="MAILJET_SMS_TOKEN", value=ALNUM(32), keywords=["mailjet"], entropy=3.5,
    rotate="https://app.mailjet.com/sms"))

R(ctx_rule(
    "sparkpost-api-key", "sparkpost", "SparkPost API key (40 hex)",
    name=r"spark" + SEP_ + r"post" + SEP_ + r"(?:api" + SEP_ + r")?(?:key|token|secret)",
    key="SPARKPOST_API_KEY", value=HEX(40), keywords=kforms("spark", "post"),
    rotate="https://app.sparkpost.com/account/api-keys"))

R(ctx_rule(
    "mailtrap-api-token", "mailtrap", "Mailtrap API token (32 hex)",
    name=r"mailtrap" + SEP_ + r"(?:api" + SEP_ + r")?(?:token|key|secret|password)",
    key="MAILTRAP_API_TOKEN", value=HEX(32), keywords=["mailtrap"],
    rotate="https://mailtrap.io/api-tokens"))

R(ctx_rule(
    "loops-api-key", "loops", "Loops API key (32 hex)",
    name=r"loops" + SEP_ + r"(?:so" + SEP_ + r")?api" + SEP_ + r"(?:key|token)",
    key="LOOPS_API_KEY", value=HEX(32), keywords=kforms("loops", "api"),
    rotate="https://app.loops.so/settings?page=api"))

R(ctx_rule(
    "customerio-track-api-key", "customerio", "Customer.io Track API key (20 hex)",
    name=r"customer" + SEP_ + r"io" + SEP_ + r"(?:track" + SEP_ + r")?(?:api" + SEP_ + r")?key",
    key="CUSTOMERIO_TRACK_API_KEY", value=HEX(20), keywords=kforms("customer", "io"),
    rotate="https://fly.customer.io/settings/api_credentials"))

R(ctx_rule(
    "customerio-app-api-key", "customerio", "Customer.io App API key (bearer, 32 hex)",
    name=r"customer" + SEP_ + r"io" + SEP_ + r"app" + SEP_ + r"(?:api" + SEP_ + r")?(?:key|token)",
    key="CUSTOMERIO_APP_API_KEY", value=HEX(32), keywords=kforms("customer", "io"),
    rotate="https://fly.customer.io/settings/api_credentials?keyType=app"))

R(prefix_rule(
    "nylas-api-key", "nylas", "Nylas v3 API key (nyk_v0_)",
    regex=r"\b(nyk_v0_[A-Za-z0-9_\-]{40,80})(?:[^A-Za-z0-9_\-]|$)", keywords=["nyk_v0_"],
    sample=lambda: "nyk_v0_" + b64url(49), env_var="NYLAS_API_KEY", entropy=4.0,
    rotate="https://dashboard-v3.nylas.com/",
    negatives=["NYLAS_API_KEY=nyk_v0_<your key>", "NYLAS_API_KEY=nyk_v0_" + b62(12),
               "prefix = 'nyk_v0_'"]))

R(ctx_rule(
    "infobip-api-key", "infobip", "Infobip API key (32 hex - UUID)",
    name=r"infobip" + SEP_ + r"(?:api" + SEP_ + r")?(?:key|token|secret)",
    key="INFOBIP_API_KEY",
    value=Fmt(r"[0-9a-f]{32}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
              lambda: f"{hexs(32)}-{uuid4()}"),
    keywords=["infobip"], rotate="https://portal.infobip.com/dev/api-keys"))

# ------------------------------------------------------------------------------ SMS / voice
R(ctx_rule(
    "plivo-auth-token", "plivo", "Plivo auth token (40 alphanumerics)",
    name=r"plivo" + SEP_ + r"(?:auth" + SEP_ + r")?(?:token|secret)",
    key="PLIVO_AUTH_TOKEN", value=ALNUM(40), keywords=["plivo"], entropy=3.5,
    rotate="https://console.plivo.com/dashboard/"))

R(ctx_rule(
    "sinch-api-token", "sinch", "Sinch SMS REST API token (32 hex)",
    name=r"sinch" + SEP_ + r"(?:sms" + SEP_ + r"|service" + SEP_ + r"plan" + SEP_ + r")?(?:api" + SEP_ + r")?(?:token|secret)",
    key="SINCH_API_TOKEN", value=HEX(32), keywords=["sinch"],
    rotate="https://dashboard.sinch.com/sms/api/rest"))

R(ctx_rule(
    "sinch-key-secret", "sinch", "Sinch access key secret (project access keys)",
    name=r"sinch" + SEP_ + r"(?:access" + SEP_ + r")?key" + SEP_ + r"secret",
    key="SINCH_KEY_SECRET", value=URLSAFE(30), keywords=["sinch"], entropy=3.8,
    rotate="https://dashboard.sinch.com/settings/access-keys"))

R(rule(
    "telnyx-api-key", "telnyx", "Telnyx API v2 key (KEY + 32 hex + _ + secret)",
    r"\b(KEY[0-9A-F]{32}_[A-Za-z0-9]{22})\b", ["telnyx"],
    [f"TELNYX_API_KEY=KEY{hexs(32, True)}_{b62(22)}",
     f"telnyx.api_key = \"KEY{hexs(32, True)}_{b62(22)}\"",
     f"curl -H 'Authorization: Bearer KEY{hexs(32, True)}_{b62(22)}' https://api.telnyx.com/v2/balance"],
    ["TELNYX_API_KEY=KEY<your-key>",
     f"telnyx key id only: KEY{hexs(32, True)}",
     f"TELNYX_API_KEY=KEY{hexs(32, True)}_{b62(8)}"],
    entropy=3.5, env_var="TELNYX_API_KEY", rotate="https://portal.telnyx.com/#/app/api-keys"))

R(ctx_rule(
    "clicksend-api-key", "clicksend", "ClickSend API key (uppercase UUID)",
    name=r"click" + SEP_ + r"send" + SEP_ + r"(?:api" + SEP_ + r")?(?:key|token|password)",
    key="CLICKSEND_API_KEY",
    value=Fmt(r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}",
              lambda: uuid4().upper()),
    keywords=kforms("click", "send"), rotate="https://dashboard.clicksend.com/account/subaccounts"))

R(ctx_rule(
    "ringcentral-client-secret", "ringcentral", "RingCentral app client secret",
    name=r"ring" + SEP_ + r"central" + SEP_ + r"(?:app" + SEP_ + r")?client" + SEP_ + r"secret",
    key="RINGCENTRAL_CLIENT_SECRET", value=URLSAFE(22), keywords=kforms("ring", "central"),
    entropy=3.5, rotate="https://developers.ringcentral.com/console"))

R(ctx_rule(
    "vonage-signature-secret", "vonage", "Vonage (Nexmo) signature secret for signed webhooks",
    name=r"(?:vonage|nexmo)" + SEP_ + r"(?:api" + SEP_ + r")?signature" + SEP_ + r"secret",
    key="VONAGE_SIGNATURE_SECRET", value=ALNUM(50, lo=32), keywords=["vonage", "nexmo"],
    entropy=3.8, rotate="https://dashboard.nexmo.com/settings"))

# ----------------------------------------------------------- regional chat platforms (bots)
R(ctx_rule(
    "line-channel-secret", "line", "LINE Messaging API channel secret (32 hex)",
    name=r"line" + SEP_ + r"(?:bot" + SEP_ + r"|messaging" + SEP_ + r"|login" + SEP_ + r")?channel" + SEP_ + r"secret",
    key="LINE_CHANNEL_SECRET", value=HEX(32),
    keywords=kforms("line", "channel") + kforms("line", "bot") + kforms("line", "messaging"),
    rotate="https://developers.line.biz/console/"))

R(ctx_rule(
    "line-channel-access-token", "line", "LINE Messaging API long-lived channel access token",
    name=r"line" + SEP_ + r"(?:bot" + SEP_ + r"|messaging" + SEP_ + r")?channel" + SEP_ + r"(?:access" + SEP_ + r")?token",
    key="LINE_CHANNEL_ACCESS_TOKEN",
    value=Fmt(r"[A-Za-z0-9+/]{150,220}={0,2}", lambda: b64(171) + "="),
    keywords=kforms("line", "channel") + kforms("line", "bot") + kforms("line", "messaging"),
    entropy=4.5, rotate="https://developers.line.biz/console/"))

R(rule(
    "google-chat-webhook-url", "google-chat", "Google Chat incoming webhook URL (space key + token)",
    r"(https://chat\.googleapis\.com/v1/spaces/[A-Za-z0-9_\-]{8,20}/messages\?key=AIza[0-9A-Za-z_\-]{35}&(?:amp;)?token=[A-Za-z0-9_\-]{20,60}(?:%3D|=){0,2})",
    ["chat.googleapis.com/v1/spaces/"],
    [f"GOOGLE_CHAT_WEBHOOK=https://chat.googleapis.com/v1/spaces/AAAA{b62(7)}/messages?key=AIza{b64url(35)}&token={b64url(43)}%3D",
     f"webhook_url: \"https://chat.googleapis.com/v1/spaces/AAAA{b62(7)}/messages?key=AIza{b64url(35)}&token={b64url(43)}\""],
    ["GOOGLE_CHAT_WEBHOOK=https://chat.googleapis.com/v1/spaces/<space>/messages?key=<key>&token=<token>",
     f"https://chat.googleapis.com/v1/spaces/AAAA{b62(7)}/messages",
     f"https://chat.googleapis.com/v1/spaces/AAAA{b62(7)}/messages?key=AIza{b64url(35)}"],
    severity="medium", entropy=4.0, env_var="GOOGLE_CHAT_WEBHOOK_URL",
    rotate="https://developers.google.com/workspace/chat/quickstart/webhooks"))

R(rule(
    "wecom-webhook-url", "wecom", "WeCom (WeChat Work) group robot webhook URL (key=UUID)",
    r"(https://qyapi\.weixin\.qq\.com/cgi-bin/webhook/send\?key=[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b",
    ["qyapi.weixin.qq.com"],
    [f"WECOM_WEBHOOK=https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={uuid4()}",
     f"requests.post('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={uuid4()}', json=msg)"],
    ["WECOM_WEBHOOK=https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=<robot-key>",
     "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=",
     f"https://qyapi.weixin.qq.com/cgi-bin/webhook/upload_media?type=file"],
    severity="medium", entropy=3.0, env_var="WECOM_WEBHOOK_URL",
    rotate="https://developer.work.weixin.qq.com/document/path/91770"))

R(rule(
    "dingtalk-webhook-url", "dingtalk", "DingTalk custom robot webhook URL (access_token=64 hex)",
    r"(https://oapi\.dingtalk\.com/robot/send\?access_token=[0-9a-f]{64})\b",
    ["oapi.dingtalk.com"],
    [f"DINGTALK_WEBHOOK=https://oapi.dingtalk.com/robot/send?access_token={hexs(64)}",
     f"webhook: \"https://oapi.dingtalk.com/robot/send?access_token={hexs(64)}\""],
    ["DINGTALK_WEBHOOK=https://oapi.dingtalk.com/robot/send?access_token=<token>",
     f"https://oapi.dingtalk.com/robot/send?access_token={hexs(32)}",
     "https://oapi.dingtalk.com/robot/send?access_token=${DINGTALK_TOKEN}"],
    severity="medium", entropy=3.0, env_var="DINGTALK_WEBHOOK_URL",
    rotate="https://open.dingtalk.com/document/robots/custom-robot-access"))

R(rule(
    "dingtalk-robot-secret", "dingtalk", "DingTalk custom robot signing secret (SEC + 64 hex)",
    r"\b(SEC[0-9a-f]{64})\b", ["dingtalk", "ding_talk"],
    [f"DINGTALK_SECRET=SEC{hexs(64)}",
     f"# dingtalk robot\nsecret: \"SEC{hexs(64)}\"",
     f"bot = DingtalkChatbot(webhook, secret='SEC{hexs(64)}')"],
    ["DINGTALK_SECRET=SEC<secret>", f"DINGTALK_SECRET=SEC{hexs(32)}",
     f"dingtalk: SECTION{hexs(60)}"],
    entropy=3.0, env_var="DINGTALK_SECRET",
    rotate="https://open.dingtalk.com/document/robots/customize-robot-security-settings"))

R(rule(
    "feishu-webhook-url", "feishu", "Feishu / Lark custom bot webhook URL (bot/v2/hook/UUID)",
    r"(https://open\.(?:feishu\.cn|larksuite\.com)/open-apis/bot/v2/hook/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b",
    ["open.feishu.cn/open-apis/bot", "open.larksuite.com/open-apis/bot"],
    [f"FEISHU_WEBHOOK=https://open.feishu.cn/open-apis/bot/v2/hook/{uuid4()}",
     f"lark_webhook: https://open.larksuite.com/open-apis/bot/v2/hook/{uuid4()}"],
    ["FEISHU_WEBHOOK=https://open.feishu.cn/open-apis/bot/v2/hook/<hook-id>",
     "https://open.feishu.cn/open-apis/bot/v2/hook/",
     "https://open.feishu.cn/open-apis/bot/v2/hook/xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"],
    severity="medium", entropy=3.0, env_var="FEISHU_WEBHOOK_URL",
    rotate="https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot"))

R(ctx_rule(
    "viber-bot-token", "viber", "Viber bot authentication token (hex16-hex16-hex16)",
    name=r"viber" + SEP_ + r"(?:bot" + SEP_ + r"|auth" + SEP_ + r"|api" + SEP_ + r")?(?:auth" + SEP_ + r")?token",
    key="VIBER_AUTH_TOKEN",
    value=Fmt(r"[0-9a-f]{16}-[0-9a-f]{16}-[0-9a-f]{16}", lambda: f"{hexs(16)}-{hexs(16)}-{hexs(16)}"),
    keywords=["viber"], rotate="https://partners.viber.com/"))


R(ctx_rule(
    "line-notify-token", "line", "LINE Notify personal access token (43 characters)",
    name=r"line" + SEP_ + r"notify" + SEP_ + r"(?:access" + SEP_ + r"|personal" + SEP_ + r"|api" + SEP_ + r")?token",
    key="LINE_NOTIFY_TOKEN", value=URLSAFE(43), keywords=kforms("line", "notify"), entropy=4.0,
    rotate="https://notify-bot.line.me/my/"))

R(rule(
    "courier-auth-token", "courier", "Courier (courier.com) API auth token (pk_prod_ / pk_test_ + 28)",
    r"\b(pk_(?:prod|test)_[A-Z0-9]{28})\b", ["pk_prod_", "courier"],
    [f"COURIER_AUTH_TOKEN=pk_prod_{alnum_upper(28)}",
     f"const courier = CourierClient({{ authorizationToken: 'pk_prod_{alnum_upper(28)}' }});",
     f"# courier\ncourier_auth_token: pk_test_{alnum_upper(28)}"],
    ["COURIER_AUTH_TOKEN=pk_prod_<token>", f"COURIER_AUTH_TOKEN=pk_prod_{alnum_upper(12)}",
     f"font-family: Courier; /* stripe pk_test_{b62(24)} */"],
    entropy=3.5, env_var="COURIER_AUTH_TOKEN", rotate="https://app.courier.com/settings/api-keys"))

R(ctx_rule(
    "elasticemail-api-key", "elasticemail", "Elastic Email API key (96 characters)",
    name=r"elastic" + SEP_ + r"e?mail" + SEP_ + r"(?:api" + SEP_ + r")?key",
    key="ELASTICEMAIL_API_KEY", value=UPPERNUM(96), keywords=kforms("elastic", "email"), entropy=3.8,
    rotate="https://app.elasticemail.com/marketing/settings/new/manage-api"))


# -------------------------------------------------------------------- push & realtime
R(prefix_rule(
    "ably-api-key", "ably", "Ably API key (appId.keyId:secret)",
    regex=r"(?:^|[^A-Za-z0-9_\-.])([A-Za-z0-9_\-]{6}\.[A-Za-z0-9_\-]{6}:[A-Za-z0-9_\-]{43})(?:[^A-Za-z0-9_\-]|$)",
    keywords=["ably_", "ably-", "ablyapi", "ablykey", "ably.realtime", "ably.rest", "ably.io", "new ably"],
    sample=lambda: f"{b64url(6)}.{b64url(6)}:{b64url(43)}", env_var="ABLY_API_KEY", entropy=3.8,
    rotate="https://ably.com/accounts/any/apps/any/app_keys",
    negatives=["ABLY_API_KEY=appid.keyid:secret",
               f"ABLY_API_KEY={b64url(6)}.{b64url(6)}",
               f"ABLY_API_KEY={b64url(6)}.{b64url(6)}:{b64url(20)}"]))

R(prefix_rule(
    "pubnub-secret-key", "pubnub", "PubNub secret key (sec-c-)",
    regex=r"\b(sec-c-[A-Za-z0-9+/]{44,48}={0,2})(?:[^A-Za-z0-9+/=]|$)", keywords=["sec-c-"],
    sample=lambda: "sec-c-" + b64(48), env_var="PUBNUB_SECRET_KEY", entropy=4.0,
    rotate="https://admin.pubnub.com/",
    negatives=["PUBNUB_SECRET_KEY=sec-c-...", "PUBNUB_SECRET_KEY=sec-c-" + b62(16),
               "secretKey: 'sec-c-your-secret-key'"]))

R(prefix_rule(
    "pubnub-publish-key", "pubnub", "PubNub publish key (pub-c- + UUID)",
    regex=r"\b(pub-c-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b",
    keywords=["pub-c-"], sample=lambda: "pub-c-" + uuid4(), env_var="PUBNUB_PUBLISH_KEY",
    severity="medium", rotate="https://admin.pubnub.com/",
    negatives=["PUBNUB_PUBLISH_KEY=pub-c-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
               "PUBNUB_PUBLISH_KEY=pub-c-" + hexs(8),
               "publishKey: 'demo'  // pub-c- keys come from the admin portal"]))

R(ctx_rule(
    "getstream-api-secret", "getstream", "Stream (getstream.io) API secret (64 lowercase alphanumerics)",
    name=r"(?:get" + SEP_ + r")?stream" + SEP_ + r"(?:chat" + SEP_ + r"|feeds?" + SEP_ + r"|video" + SEP_ + r"|io" + SEP_ + r")?(?:api" + SEP_ + r")?secret",
    key="STREAM_API_SECRET", value=LOWERNUM(64), entropy=3.8,
    keywords=kforms("stream", "api", "secret") + kforms("stream", "secret")
    + kforms("stream", "chat", "secret") + ["getstream.io", "getstream_", "getstream-"],
    rotate="https://dashboard.getstream.io/"))

R(ctx_rule(
    "sendbird-api-token", "sendbird", "Sendbird API / master token (40 hex)",
    name=r"send" + SEP_ + r"bird" + SEP_ + r"(?:api" + SEP_ + r"|master" + SEP_ + r"|secondary" + SEP_ + r")?(?:token|key|secret)",
    key="SENDBIRD_API_TOKEN", value=HEX(40), keywords=kforms("send", "bird"),
    rotate="https://dashboard.sendbird.com/", aliases=["sendbird-access-token"]))

R(ctx_rule(
    "agora-app-certificate", "agora", "Agora app certificate (32 hex)",
    name=r"agora" + SEP_ + r"(?:app" + SEP_ + r"|primary" + SEP_ + r")?(?:certificate|cert)",
    key="AGORA_APP_CERTIFICATE", value=HEX(32), keywords=["agora"],
    rotate="https://console.agora.io/projects"))

R(ctx_rule(
    "agora-customer-secret", "agora", "Agora RESTful API customer secret (32 hex)",
    name=r"agora" + SEP_ + r"(?:rest" + SEP_ + r"|restful" + SEP_ + r"|api" + SEP_ + r")?customer" + SEP_ + r"secret",
    key="AGORA_CUSTOMER_SECRET", value=HEX(32), keywords=["agora"],
    rotate="https://console.agora.io/restfulApi"))

R(ctx_rule(
    "pushover-api-token", "pushover", "Pushover application API token / user key (30 characters)",
    name=r"pushover" + SEP_ + r"(?:app" + SEP_ + r"|api" + SEP_ + r"|application" + SEP_ + r"|user" + SEP_ + r")?(?:api" + SEP_ + r")?(?:token|key)",
    key="PUSHOVER_API_TOKEN", value=ALNUM(30), keywords=["pushover"], entropy=3.5,
    rotate="https://pushover.net/apps"))

R(rule(
    "pushbullet-access-token", "pushbullet", "Pushbullet access token (o. + 32) near a Pushbullet reference",
    r"(?:^|[^A-Za-z0-9_.\-])(o\.[A-Za-z0-9]{32})\b", ["pushbullet"],
    [f"PUSHBULLET_TOKEN=o.{b62(32)}",
     f"pb = Pushbullet('o.{b62(32)}')",
     f"curl -u o.{b62(32)}: https://api.pushbullet.com/v2/pushes"],
    ["PUSHBULLET_TOKEN=o.<access token>",
     f"PUSHBULLET_TOKEN=o.{b62(16)}",
     f"pushbullet: foo.{b62(32)}"],
    entropy=3.5, confidence="medium", env_var="PUSHBULLET_TOKEN", rotate="https://www.pushbullet.com/#settings/account"))

R(prefix_rule(
    "onesignal-app-api-key", "onesignal", "OneSignal app REST API key v2 (os_v2_app_)",
    regex=r"\b(os_v2_app_[a-z2-7]{100,120})\b", keywords=["os_v2_app_"],
    sample=lambda: "os_v2_app_" + rand(LOWER + "234567", 113), env_var="ONESIGNAL_REST_API_KEY",
    entropy=4.0, rotate="https://dashboard.onesignal.com/",
    negatives=["ONESIGNAL_REST_API_KEY=os_v2_app_...",
               "ONESIGNAL_REST_API_KEY=os_v2_app_" + rand(LOWER, 30),
               "const PREFIX = 'os_v2_app_';"]))

R(prefix_rule(
    "onesignal-organization-api-key", "onesignal", "OneSignal organization API key v2 (os_v2_org_)",
    regex=r"\b(os_v2_org_[a-z2-7]{100,120})\b", keywords=["os_v2_org_"],
    sample=lambda: "os_v2_org_" + rand(LOWER + "234567", 113), env_var="ONESIGNAL_USER_AUTH_KEY",
    entropy=4.0, severity="critical", rotate="https://dashboard.onesignal.com/",
    negatives=["ONESIGNAL_USER_AUTH_KEY=os_v2_org_<key>",
               "ONESIGNAL_USER_AUTH_KEY=os_v2_org_" + rand(LOWER, 30),
               "os_v2_org_ keys manage every app of an organization"]))

R(ctx_rule(
    "onesignal-legacy-api-key", "onesignal", "OneSignal legacy REST API / user auth key (48 base64)",
    name=r"one" + SEP_ + r"signal" + SEP_ + r"(?:app" + SEP_ + r"|rest" + SEP_ + r"|user" + SEP_ + r"|api" + SEP_ + r"){0,3}(?:auth" + SEP_ + r")?(?:api" + SEP_ + r")?key",
    key="ONESIGNAL_REST_API_KEY", value=B64CHARS(48), keywords=kforms("one", "signal"),
    entropy=4.0, rotate="https://dashboard.onesignal.com/"))

HEADER = """# leakless built-in rules: messaging (chat, email, SMS/voice, push, realtime, webhooks).
# Format: gitleaks v8 rules plus leakless fields (provider, severity, confidence, aliases, env_var,
# rotate, examples, negative_examples). Spec: scripts/rulegen/messaging.py (hand-written rules are
# read back from scripts/rulegen/hand/messaging.toml; the rest are generated from the providers'
# token formats). Regenerate with scripts/rulegen/regen.py."""

all_rules = handwritten() + rules
if "--write" in sys.argv[1:]:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        emit(all_rules, header=HEADER)
    tmp = PACK + ".tmp"
    with open(tmp, "w") as f:
        f.write(buf.getvalue())
    os.replace(tmp, PACK)
else:
    emit(all_rules, header=HEADER)
