#!/usr/bin/env python3
"""An independent, labelled corpus of leaked credentials and hard negatives.

Why this exists: the harness in tests/quality/mod.rs derives its positives from our own rules'
examples, so it can only say "the rules do what they were written to do". This generator is
written from the providers' documented token formats (prefixes, lengths, alphabets, checksums,
container syntaxes), without reading leakless' rules, so a provider or syntax we do not cover
shows up as a miss. It writes:

  <out>/files/...            the corpus (one secret per positive file, in a realistic syntax)
  <out>/labels.json          [{"path", "line", "end_line", "family", "provider", "kind"}]
  <out>/negatives.json       [{"path", "kind"}]   files that must produce no finding

Usage: gen_corpus.py OUT_DIR [--seed N]. Deterministic for a seed. Standard library only.
"""

import base64
import binascii
import json
import os
import random
import sys
import urllib.parse

SEED = 20261206
R = random.Random(SEED)

D = "0123456789"
LO = "abcdefghijklmnopqrstuvwxyz"
UP = LO.upper()
HX = "0123456789abcdef"
AN = D + UP + LO
B64 = AN + "+/"
URL = AN + "-_"


def r(alpha, n):
    s = []
    while len(s) < n:
        c = R.choice(alpha)
        if len(s) >= 2 and s[-1] == s[-2] == c:
            continue
        s.append(c)
    return "".join(s)


def uuid():
    h = r(HX, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{R.choice('89ab')}{h[17:20]}-{h[20:]}"


def b62_encode(n, width):
    # GitHub / npm checksum alphabet: digits, upper, lower.
    out = ""
    while n:
        n, rem = divmod(n, 62)
        out = AN[rem] + out
    return out.rjust(width, "0")


def crc_token(prefix):
    """GitHub (ghp_ …) and npm (npm_) tokens: 30 random base62 + 6-char base62 CRC32 of them."""
    body = r(AN, 30)
    return prefix + body + b62_encode(binascii.crc32(body.encode()) & 0xFFFFFFFF, 6)


def b64s(raw):
    return base64.b64encode(raw).decode()


def rand_bytes(n):
    return bytes(R.randrange(256) for _ in range(n))


def pem(label, nbytes, lead=b""):
    body = b64s(lead + rand_bytes(nbytes))
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return f"-----BEGIN {label}-----\n" + "\n".join(lines) + f"\n-----END {label}-----"


def jwt(claims):
    enc = lambda d: base64.urlsafe_b64encode(json.dumps(d, separators=(",", ":")).encode()).decode().rstrip("=")
    return enc({"alg": "HS256", "typ": "JWT"}) + "." + enc(claims) + "." + r(URL, 43)


def pw(n=16):
    return r(AN + "!#%^*-_", n - 2) + r(D, 1) + r(UP, 1)


def url_pw(n=16):
    """A password as it appears inside a URL: reserved characters percent-encoded (RFC 3986)."""
    return urllib.parse.quote(pw(n), safe="-_.~!*")


# ---------------------------------------------------------------- token formats, by family
# (family, provider, kind, key name a team would use, generator). Key None = a token with a
# distinctive shape: it is also placed without any key (in prose, a command, a test string).
T = []


def tok(family, provider, kind, key, gen):
    T.append((family, provider, kind, key, gen))


# cloud
tok("cloud", "aws", "access-key-id", "AWS_ACCESS_KEY_ID", lambda: "AKIA" + r(UP + "234567", 16))
tok("cloud", "aws", "temporary-access-key-id", "AWS_ACCESS_KEY_ID", lambda: "ASIA" + r(UP + "234567", 16))
tok("cloud", "aws", "secret-access-key", "AWS_SECRET_ACCESS_KEY", lambda: r(B64, 40))
tok("cloud", "aws", "bedrock-api-key", "AWS_BEARER_TOKEN_BEDROCK",
    lambda: "ABSK" + b64s(f"BedrockAPIKey-{r(LO + D, 4)}-at-{r(D, 12)}:{r(B64, 40)}".encode()))
tok("cloud", "gcp", "api-key", "GOOGLE_API_KEY", lambda: "AIza" + r(URL, 35))
tok("cloud", "gcp", "oauth-client-secret", "GOOGLE_CLIENT_SECRET", lambda: "GOCSPX-" + r(URL, 28))
tok("cloud", "gcp", "oauth-refresh-token", "GOOGLE_REFRESH_TOKEN", lambda: "1//0" + r(URL, 99))
tok("cloud", "azure", "storage-account-key", "AZURE_STORAGE_KEY", lambda: b64s(rand_bytes(64)))
tok("cloud", "azure", "entra-client-secret", "AZURE_CLIENT_SECRET",
    lambda: r(AN, 3) + "8Q~" + r(AN + "_~.-", 34))
tok("cloud", "azure", "devops-pat-legacy", "AZURE_DEVOPS_PAT", lambda: r(LO + "234567", 52))
tok("cloud", "digitalocean", "pat", "DIGITALOCEAN_TOKEN", lambda: "dop_v1_" + r(HX, 64))
tok("cloud", "digitalocean", "oauth", "DIGITALOCEAN_ACCESS_TOKEN", lambda: "doo_v1_" + r(HX, 64))
tok("cloud", "alibaba", "access-key-id", "ALIBABA_CLOUD_ACCESS_KEY_ID", lambda: "LTAI" + r(AN, 20))
tok("cloud", "tencent", "secret-id", "TENCENTCLOUD_SECRET_ID", lambda: "AKID" + r(AN, 32))
tok("cloud", "heroku", "api-key", "HEROKU_API_KEY", uuid)
tok("cloud", "cloudflare", "api-token", "CLOUDFLARE_API_TOKEN", lambda: r(URL, 40))
tok("cloud", "cloudflare", "global-api-key", "CLOUDFLARE_API_KEY", lambda: r(HX, 37))
tok("cloud", "cloudflare", "origin-ca-key", "CF_ORIGIN_CA_KEY", lambda: "v1.0-" + r(HX, 24) + "-" + r(HX, 146))
tok("cloud", "linode", "token", "LINODE_TOKEN", lambda: r(HX, 64))
tok("cloud", "hetzner", "token", "HCLOUD_TOKEN", lambda: r(AN, 64))
tok("cloud", "scaleway", "secret-key", "SCW_SECRET_KEY", uuid)
tok("cloud", "vercel", "token", "VERCEL_TOKEN", lambda: r(AN, 24))
tok("cloud", "netlify", "token", "NETLIFY_AUTH_TOKEN", lambda: "nfp_" + r(AN, 36))
tok("cloud", "firebase", "fcm-server-key", "FCM_SERVER_KEY", lambda: "AAAA" + r(URL, 7) + ":APA91b" + r(URL, 134))
tok("cloud", "ibm", "api-key", "IBMCLOUD_API_KEY", lambda: r(URL, 44))
tok("cloud", "fastly", "api-token", "FASTLY_API_TOKEN", lambda: r(URL, 32))
# version control
for p in ("ghp_", "gho_", "ghu_", "ghs_", "ghr_"):
    tok("vcs", "github", p.rstrip("_"), "GITHUB_TOKEN", lambda p=p: crc_token(p))
tok("vcs", "github", "fine-grained-pat", "GH_TOKEN", lambda: "github_pat_" + r(AN, 22) + "_" + r(AN, 59))
tok("vcs", "gitlab", "pat", "GITLAB_TOKEN", lambda: "glpat-" + r(URL, 20))
tok("vcs", "gitlab", "deploy-token", "GITLAB_DEPLOY_TOKEN", lambda: "gldt-" + r(URL, 20))
tok("vcs", "gitlab", "runner-token", "CI_RUNNER_TOKEN", lambda: "glrt-" + r(URL, 20))
tok("vcs", "gitlab", "pipeline-trigger", "GITLAB_TRIGGER_TOKEN", lambda: "glptt-" + r(HX, 40))
tok("vcs", "gitlab", "runner-registration", "REGISTRATION_TOKEN", lambda: "GR1348941" + r(URL, 20))
tok("vcs", "gitlab", "oauth-secret", "GITLAB_OAUTH_SECRET", lambda: "gloas-" + r(HX, 64))
tok("vcs", "bitbucket", "app-password", "BITBUCKET_APP_PASSWORD", lambda: "ATBB" + r(AN, 32))
tok("vcs", "gitea", "token", "GITEA_TOKEN", lambda: r(HX, 40))
# developer tools and registries
tok("devtools", "npm", "access-token", "NPM_TOKEN", lambda: crc_token("npm_"))
tok("devtools", "pypi", "upload-token", "PYPI_API_TOKEN", lambda: "pypi-AgEIcHlwaS5vcmc" + r(URL, 120))
tok("devtools", "rubygems", "api-key", "GEM_HOST_API_KEY", lambda: "rubygems_" + r(HX, 48))
tok("devtools", "nuget", "api-key", "NUGET_API_KEY", lambda: "oy2" + r(LO + D, 43))
tok("devtools", "dockerhub", "pat", "DOCKERHUB_TOKEN", lambda: "dckr_pat_" + r(URL, 27))
tok("devtools", "postman", "api-key", "POSTMAN_API_KEY", lambda: "PMAK-" + r(HX, 24) + "-" + r(HX, 34))
tok("devtools", "atlassian", "api-token", "JIRA_API_TOKEN", lambda: "ATATT3xFfGF0" + r(URL, 171) + "=" + r(HX.upper(), 8))
tok("devtools", "linear", "api-key", "LINEAR_API_KEY", lambda: "lin_api_" + r(AN, 40))
tok("devtools", "figma", "pat", "FIGMA_TOKEN", lambda: "figd_" + r(URL, 40))
tok("devtools", "snyk", "token", "SNYK_TOKEN", uuid)
tok("devtools", "sonarqube", "user-token", "SONAR_TOKEN", lambda: "squ_" + r(HX, 40))
tok("devtools", "tailscale", "auth-key", "TS_AUTHKEY", lambda: "tskey-auth-" + r(AN, 12) + "CNTRL-" + r(AN, 33))
tok("devtools", "sourcegraph", "access-token", "SRC_ACCESS_TOKEN", lambda: "sgp_" + r(HX, 16) + "_" + r(HX, 40))
tok("devtools", "codecov", "upload-token", "CODECOV_TOKEN", uuid)
tok("devtools", "terraform", "cloud-token", "TFE_TOKEN", lambda: r(AN, 14) + ".atlasv1." + r(AN, 67))
tok("devtools", "pulumi", "access-token", "PULUMI_ACCESS_TOKEN", lambda: "pul-" + r(HX, 40))
tok("devtools", "jfrog", "access-token", "ARTIFACTORY_API_KEY", lambda: "AKCp" + r(AN, 69))
# secrets managers
tok("secrets-managers", "infisical", "client-secret", "INFISICAL_CLIENT_SECRET", lambda: r(HX, 64))
tok("secrets-managers", "vault", "service-token", "VAULT_TOKEN", lambda: "hvs." + r(URL, 90))
tok("secrets-managers", "doppler", "service-token", "DOPPLER_TOKEN", lambda: "dp.st.prd." + r(AN, 40))
tok("secrets-managers", "1password", "service-account", "OP_SERVICE_ACCOUNT_TOKEN",
    lambda: "ops_" + base64.urlsafe_b64encode(json.dumps({"signInAddress": "my.1password.com", "email": r(LO, 10) + "@1passwordserviceaccounts.com", "secretKey": "A3-" + r(UP + D, 26), "srpX": r(HX, 64), "muk": {"k": r(URL, 43)}}).encode()).decode().rstrip("="))
# messaging
tok("messaging", "slack", "bot-token", "SLACK_BOT_TOKEN", lambda: f"xoxb-{r(D, 12)}-{r(D, 13)}-{r(AN, 24)}")
tok("messaging", "slack", "user-token", "SLACK_USER_TOKEN", lambda: f"xoxp-{r(D, 12)}-{r(D, 12)}-{r(D, 13)}-{r(HX, 32)}")
tok("messaging", "slack", "app-token", "SLACK_APP_TOKEN", lambda: f"xapp-1-A{r(UP + D, 10)}-{r(D, 13)}-{r(HX, 64)}")
tok("messaging", "slack", "config-refresh-token", "SLACK_CONFIG_REFRESH_TOKEN", lambda: f"xoxe-1-{r(AN, 146)}")
tok("messaging", "slack", "incoming-webhook", "SLACK_WEBHOOK_URL",
    lambda: f"https://hooks.slack.com/services/T{r(UP + D, 10)}/B{r(UP + D, 10)}/{r(AN, 24)}")
tok("messaging", "slack", "workflow-webhook", "SLACK_WORKFLOW_URL",
    lambda: f"https://hooks.slack.com/triggers/T{r(UP + D, 10)}/{r(D, 13)}/{r(HX, 32)}")
tok("messaging", "discord", "webhook", "DISCORD_WEBHOOK_URL",
    lambda: f"https://discord.com/api/webhooks/{r(D, 19)}/{r(URL, 68)}")
def discord_bot_token():
    """discord.py's token docs: the first part is the base64 of the user id (a snowflake of 17 to
    19 decimal digits), the second a timestamp, the third an HMAC. The id is drawn from the same
    25 random characters as the first version of this generator (which wrote `M` + 25 random
    URL-safe characters, a shape no Discord token has), so the rest of the corpus is unchanged."""
    n = int.from_bytes(r(URL, 25).encode(), "big")
    width = 17 + n % 3
    user_id = str(10 ** (width - 1) + n % (9 * 10 ** (width - 1)))
    return base64.b64encode(user_id.encode()).decode().rstrip("=") + "." + r(URL, 6) + "." + r(URL, 38)


tok("messaging", "discord", "bot-token", "DISCORD_BOT_TOKEN", discord_bot_token)
tok("messaging", "telegram", "bot-token", "TELEGRAM_BOT_TOKEN", lambda: r(D, 10) + ":AA" + r(URL, 33))
tok("messaging", "teams", "incoming-webhook", "TEAMS_WEBHOOK_URL",
    lambda: f"https://contoso.webhook.office.com/webhookb2/{uuid()}@{uuid()}/IncomingWebhook/{r(HX, 32)}/{uuid()}")
tok("messaging", "twilio", "api-key", "TWILIO_API_KEY", lambda: "SK" + r(HX, 32))
tok("messaging", "twilio", "auth-token", "TWILIO_AUTH_TOKEN", lambda: r(HX, 32))
tok("messaging", "sendgrid", "api-key", "SENDGRID_API_KEY", lambda: "SG." + r(URL, 22) + "." + r(URL, 43))
tok("messaging", "mailgun", "api-key", "MAILGUN_API_KEY", lambda: "key-" + r(HX, 32))
tok("messaging", "mailchimp", "api-key", "MAILCHIMP_API_KEY", lambda: r(HX, 32) + "-us" + str(R.randint(1, 21)))
tok("messaging", "brevo", "api-key", "BREVO_API_KEY", lambda: "xkeysib-" + r(HX, 64) + "-" + r(AN, 16))
tok("messaging", "postmark", "server-token", "POSTMARK_SERVER_TOKEN", uuid)
tok("messaging", "pusher", "app-secret", "PUSHER_APP_SECRET", lambda: r(HX, 20))
tok("messaging", "pushover", "app-token", "PUSHOVER_APP_TOKEN", lambda: "a" + r(LO + D, 29))
# payments
tok("payments", "stripe", "secret-key", "STRIPE_SECRET_KEY", lambda: "sk_live_" + r(AN, 99))
tok("payments", "stripe", "restricted-key", "STRIPE_RESTRICTED_KEY", lambda: "rk_live_" + r(AN, 99))
tok("payments", "stripe", "webhook-secret", "STRIPE_WEBHOOK_SECRET", lambda: "whsec_" + r(AN, 32))
tok("payments", "square", "access-token", "SQUARE_ACCESS_TOKEN", lambda: "EAAA" + r(URL, 60))
tok("payments", "shopify", "admin-token", "SHOPIFY_ACCESS_TOKEN", lambda: "shpat_" + r(HX, 32))
tok("payments", "shopify", "shared-secret", "SHOPIFY_API_SECRET", lambda: "shpss_" + r(HX, 32))
tok("payments", "braintree", "access-token", "BRAINTREE_ACCESS_TOKEN",
    lambda: "access_token$production$" + r(LO + D, 16) + "$" + r(HX, 32))
tok("payments", "razorpay", "key-id", "RAZORPAY_KEY_ID", lambda: "rzp_live_" + r(AN, 14))
tok("payments", "flutterwave", "secret-key", "FLW_SECRET_KEY", lambda: "FLWSECK-" + r(HX, 32) + "-X")
tok("payments", "paystack", "secret-key", "PAYSTACK_SECRET_KEY", lambda: "sk_live_" + r(HX, 40))
tok("payments", "gocardless", "access-token", "GOCARDLESS_ACCESS_TOKEN", lambda: "live_" + r(URL, 40))
tok("payments", "easypost", "api-key", "EASYPOST_API_KEY", lambda: "EZAK" + r(HX, 54))
# AI
tok("ai", "openai", "project-key", "OPENAI_API_KEY", lambda: "sk-proj-" + r(URL, 74) + "T3BlbkFJ" + r(URL, 74))
tok("ai", "openai", "legacy-key", "OPENAI_API_KEY", lambda: "sk-" + r(AN, 20) + "T3BlbkFJ" + r(AN, 20))
tok("ai", "anthropic", "api-key", "ANTHROPIC_API_KEY", lambda: "sk-ant-api03-" + r(URL, 93) + "AA")
tok("ai", "groq", "api-key", "GROQ_API_KEY", lambda: "gsk_" + r(AN, 52))
tok("ai", "huggingface", "token", "HF_TOKEN", lambda: "hf_" + r(UP + LO, 34))
tok("ai", "replicate", "api-token", "REPLICATE_API_TOKEN", lambda: "r8_" + r(AN, 37))
tok("ai", "perplexity", "api-key", "PERPLEXITY_API_KEY", lambda: "pplx-" + r(AN, 48))
tok("ai", "xai", "api-key", "XAI_API_KEY", lambda: "xai-" + r(AN, 80))
tok("ai", "openrouter", "api-key", "OPENROUTER_API_KEY", lambda: "sk-or-v1-" + r(HX, 64))
tok("ai", "nvidia", "api-key", "NVIDIA_API_KEY", lambda: "nvapi-" + r(URL, 64))
tok("ai", "langsmith", "api-key", "LANGSMITH_API_KEY", lambda: "lsv2_pt_" + r(HX, 32) + "_" + r(HX, 10))
tok("ai", "cohere", "api-key", "COHERE_API_KEY", lambda: r(AN, 40))
tok("ai", "mistral", "api-key", "MISTRAL_API_KEY", lambda: r(AN, 32))
# monitoring
tok("monitoring", "datadog", "api-key", "DD_API_KEY", lambda: r(HX, 32))
tok("monitoring", "datadog", "app-key", "DATADOG_APP_KEY", lambda: r(HX, 40))
tok("monitoring", "newrelic", "user-key", "NEW_RELIC_API_KEY", lambda: "NRAK-" + r(UP + D, 27))
tok("monitoring", "newrelic", "license-key", "NEW_RELIC_LICENSE_KEY", lambda: r(HX, 36) + "NRAL")
tok("monitoring", "sentry", "user-token", "SENTRY_AUTH_TOKEN", lambda: "sntryu_" + r(HX, 64))
tok("monitoring", "grafana", "service-account", "GRAFANA_TOKEN", lambda: "glsa_" + r(AN, 32) + "_" + r(HX, 8))
tok("monitoring", "dynatrace", "api-token", "DT_API_TOKEN", lambda: "dt0c01." + r(UP + D, 24) + "." + r(UP + D, 64))
tok("monitoring", "honeycomb", "api-key", "HONEYCOMB_API_KEY", lambda: r(AN, 22))
tok("monitoring", "pagerduty", "api-key", "PAGERDUTY_TOKEN", lambda: "u+" + r(URL, 18))
tok("monitoring", "axiom", "api-token", "AXIOM_TOKEN", lambda: "xaat-" + uuid())
tok("monitoring", "splunk", "hec-token", "SPLUNK_HEC_TOKEN", uuid)
# databases
tok("databases", "planetscale", "service-token", "PLANETSCALE_TOKEN", lambda: "pscale_tkn_" + r(URL, 43))
tok("databases", "planetscale", "password", "PLANETSCALE_PASSWORD", lambda: "pscale_pw_" + r(URL, 43))
tok("databases", "neon", "api-key", "NEON_API_KEY", lambda: "napi_" + r(LO + D, 64))
tok("databases", "supabase", "access-token", "SUPABASE_ACCESS_TOKEN", lambda: "sbp_" + r(HX, 40))
tok("databases", "databricks", "pat", "DATABRICKS_TOKEN", lambda: "dapi" + r(HX, 32))
tok("databases", "upstash", "rest-token", "UPSTASH_REDIS_REST_TOKEN", lambda: "A" + r(URL, 59) + "=")
# CI/CD
tok("cicd", "circleci", "personal-token", "CIRCLE_TOKEN", lambda: "CCIPAT_" + r(AN, 22) + "_" + r(HX, 40))
tok("cicd", "buildkite", "api-token", "BUILDKITE_API_TOKEN", lambda: "bkua_" + r(HX, 40))
tok("cicd", "octopus", "api-key", "OCTOPUS_API_KEY", lambda: "API-" + r(UP + D, 26))
tok("cicd", "travis", "token", "TRAVIS_API_TOKEN", lambda: r(URL, 22))
tok("cicd", "jenkins", "api-token", "JENKINS_API_TOKEN", lambda: "11" + r(HX, 32))
# IoT / home automation
tok("iot", "adafruit", "io-key", "ADAFRUIT_IO_KEY", lambda: "aio_" + r(AN, 28))
tok("iot", "homeassistant", "long-lived-token", "HASS_TOKEN",
    lambda: jwt({"iss": r(HX, 32), "iat": 1700000000, "exp": 2015360000}))
tok("iot", "particle", "access-token", "PARTICLE_ACCESS_TOKEN", lambda: r(HX, 40))
tok("iot", "blynk", "auth-token", "BLYNK_AUTH_TOKEN", lambda: r(URL, 32))
# social / marketing / CRM / analytics
tok("social", "twitter", "bearer-token", "TWITTER_BEARER_TOKEN", lambda: "AAAAAAAAAAAAAAAAAAAAA" + r(AN, 25) + "%3D" + r(AN, 50))
tok("social", "facebook", "access-token", "FACEBOOK_ACCESS_TOKEN", lambda: "EAA" + r(AN, 180))
tok("social", "hubspot", "private-app-token", "HUBSPOT_ACCESS_TOKEN", lambda: "pat-na1-" + uuid())
tok("social", "posthog", "personal-key", "POSTHOG_PERSONAL_API_KEY", lambda: "phx_" + r(AN, 43))
tok("social", "mixpanel", "api-secret", "MIXPANEL_API_SECRET", lambda: r(HX, 32))
tok("social", "klaviyo", "private-key", "KLAVIYO_PRIVATE_API_KEY", lambda: "pk_" + r(HX, 34))
# SaaS
tok("saas", "notion", "integration-token", "NOTION_TOKEN", lambda: "ntn_" + r(AN, 46))
tok("saas", "airtable", "pat", "AIRTABLE_API_KEY", lambda: "pat" + r(AN, 14) + "." + r(HX, 64))
tok("saas", "asana", "pat", "ASANA_ACCESS_TOKEN", lambda: "2/" + r(D, 16) + "/" + r(D, 16) + ":" + r(HX, 32))
tok("saas", "clickup", "api-token", "CLICKUP_API_TOKEN", lambda: "pk_" + r(D, 8) + "_" + r(UP + D, 32))
tok("saas", "dropbox", "access-token", "DROPBOX_ACCESS_TOKEN", lambda: "sl." + r(URL, 135))
tok("saas", "shippo", "api-token", "SHIPPO_API_TOKEN", lambda: "shippo_live_" + r(HX, 40))
tok("saas", "zendesk", "api-token", "ZENDESK_API_TOKEN", lambda: r(AN, 40))
tok("saas", "typeform", "pat", "TYPEFORM_TOKEN", lambda: "tfp_" + r(URL, 44) + "_" + r(URL, 14))


# ------------------------------------------------------------------ syntaxes a key=value lives in
def camel(key):
    p = key.lower().split("_")
    return p[0] + "".join(x.capitalize() for x in p[1:])


SYN = {
    # name: (file name, renderer(key, value) -> (text, line of the value, 1-based))
    "dotenv": (".env.production", lambda k, v: (f"# prod\nAPP_ENV=production\n{k}={v}\n", 3)),
    "dotenv-quoted": ("config/.env", lambda k, v: (f"{k}=\"{v}\"\nLOG_LEVEL=info\n", 1)),
    "shell": ("deploy.sh", lambda k, v: (f"#!/bin/sh\nset -e\nexport {k}='{v}'\n./run\n", 3)),
    "yaml": ("config/app.yaml", lambda k, v: (f"service:\n  name: api\n  {k.lower()}: {v}\n", 3)),
    "compose": ("docker-compose.yml", lambda k, v: (f"services:\n  web:\n    image: app:1\n    environment:\n      - {k}={v}\n", 5)),
    "k8s-env": ("k8s/deploy.yaml", lambda k, v: (f"containers:\n  - name: app\n    env:\n      - name: {k}\n        value: \"{v}\"\n", 5)),
    "gha": (".github/workflows/ci.yml", lambda k, v: (f"jobs:\n  test:\n    runs-on: ubuntu-latest\n    env:\n      {k}: {v}\n", 5)),
    "json": ("config/settings.json", lambda k, v: (f"{{\n  \"region\": \"eu\",\n  \"{camel(k)}\": \"{v}\"\n}}\n", 3)),
    "toml": ("config.toml", lambda k, v: (f"[service]\nname = \"api\"\n{k.lower()} = \"{v}\"\n", 3)),
    "properties": ("application.properties", lambda k, v: (f"server.port=8080\n{k.lower().replace('_', '.')}={v}\n", 2)),
    "ini": ("settings.ini", lambda k, v: (f"[default]\n{k.lower()} = {v}\n", 2)),
    "python": ("settings.py", lambda k, v: (f"import os\n\nDEBUG = False\n{k} = \"{v}\"\n", 4)),
    "js": ("src/config.js", lambda k, v: (f"module.exports = {{\n  port: 3000,\n  {camel(k)}: '{v}',\n}};\n", 3)),
    "ts": ("src/client.ts", lambda k, v: (f"export const {camel(k)}: string = \"{v}\";\n", 1)),
    "go": ("internal/conf.go", lambda k, v: (f"package conf\n\nconst {camel(k)} = \"{v}\"\n", 3)),
    "java": ("src/main/java/App.java", lambda k, v: (f"class App {{\n    static final String {k} = \"{v}\";\n}}\n", 2)),
    "csharp": ("App/Config.cs", lambda k, v: (f"public static class Config {{\n    public const string {camel(k).capitalize()} = \"{v}\";\n}}\n", 2)),
    "ruby": ("config/initializers/keys.rb", lambda k, v: (f"ENV['{k}'] ||= '{v}'\n", 1)),
    "php": ("config/services.php", lambda k, v: (f"<?php\nreturn [\n    '{k.lower()}' => '{v}',\n];\n", 3)),
    "terraform": ("main.tf", lambda k, v: (f"variable \"{k.lower()}\" {{\n  default = \"{v}\"\n}}\n", 2)),
    "dockerfile": ("Dockerfile", lambda k, v: (f"FROM alpine:3\nENV {k}={v}\nCMD [\"app\"]\n", 2)),
    "makefile": ("Makefile", lambda k, v: (f"{k} := {v}\n\nall:\n\t./build\n", 1)),
    "xml": ("web.config", lambda k, v: (f"<configuration>\n  <appSettings>\n    <add key=\"{k}\" value=\"{v}\" />\n  </appSettings>\n</configuration>\n", 3)),
    "notebook": ("analysis.ipynb", lambda k, v: (json.dumps({"cells": [{"cell_type": "code", "source": ["import os\n", f"os.environ[\"{k}\"] = \"{v}\"\n"]}]}, indent=1) + "\n", None)),
}
# A token with a distinctive shape also leaks without any key naming it.
BARE = {
    "curl": ("scripts/call.sh", lambda v: (f"#!/bin/sh\ncurl -H \"Authorization: Bearer {v}\" https://api.internal/v1/me\n", 2)),
    "test-string": ("tests/test_client.py", lambda v: (f"def test_client():\n    client = Client(\"{v}\")\n    assert client\n", 2)),
    "markdown": ("docs/setup.md", lambda v: (f"# Setup\n\nUse the token `{v}` for the staging account.\n", 3)),
}
SHAPELESS = {"aws/secret-access-key", "azure/storage-account-key", "azure/devops-pat-legacy", "heroku/api-key",
             "cloudflare/api-token", "cloudflare/global-api-key", "linode/token", "hetzner/token",
             "scaleway/secret-key", "vercel/token", "ibm/api-key", "fastly/api-token", "gitea/token",
             "snyk/token", "codecov/upload-token", "infisical/client-secret", "twilio/auth-token",
             "postmark/server-token", "pusher/app-secret", "cohere/api-key", "mistral/api-key",
             "datadog/api-key", "datadog/app-key", "honeycomb/api-key", "splunk/hec-token",
             "travis/token", "particle/access-token", "blynk/auth-token", "mixpanel/api-secret",
             "zendesk/api-token", "pagerduty/api-key", "jenkins/api-token", "upstash/rest-token",
             "homeassistant/long-lived-token", "pushover/app-token", "mailchimp/api-key"}


# --------------------------------------------------------------- credentials by container (whole files)
def containers():
    user = lambda: R.choice(["app", "svc_orders", "deploy", "reporting", "etl"])
    host = lambda: R.choice(["db.internal", "10.2.0.14", "prod-cluster.example.net", "mq.corp.lan"])
    out = []
    for scheme, port in [("postgres", 5432), ("postgresql", 5432), ("mysql", 3306), ("redis", 6379),
                         ("rediss", 6380), ("amqp", 5672), ("amqps", 5671), ("mongodb", 27017),
                         ("mongodb+srv", None), ("ftp", 21), ("sftp", 22), ("ldap", 389), ("ldaps", 636),
                         ("smtp", 587), ("smtps", 465), ("https", 443), ("mssql", 1433), ("mqtt", 1883),
                         ("nats", 4222), ("clickhouse", 8123)]:
        hp = host() + (f":{port}" if port else "")
        out.append(("credentials", "url", f"url-{scheme}", "compose.yml",
                    lambda scheme=scheme, hp=hp: (f"services:\n  api:\n    environment:\n      BACKEND: \"{scheme}://{user()}:{url_pw()}@{hp}/main\"\n", 4)))
        out.append(("credentials", "url", f"url-{scheme}-prose", "README.md",
                    lambda scheme=scheme, hp=hp: (f"Connect with\n\n    {scheme}://{user()}:{url_pw()}@{hp}/main\n", 3)))
    out += [
        ("credentials", "jdbc", "jdbc-password-param", "src/main/resources/db.properties",
         lambda: (f"db.url=jdbc:postgresql://db.internal:5432/shop?user=shop&password={url_pw()}\n", 1)),
        ("credentials", "jdbc", "jdbc-sqlserver", "conf/datasource.xml",
         lambda: (f"<datasource>\n  <url>jdbc:sqlserver://sql01:1433;databaseName=crm;user=sa;password={pw()};</url>\n</datasource>\n", 2)),
        ("credentials", "adonet", "adonet-connection-string", "appsettings.json",
         lambda: ("{\n  \"ConnectionStrings\": {\n    \"Default\": \"Server=tcp:crm.database.windows.net,1433;Initial Catalog=crm;User ID=crmapp;Password=" + pw() + ";Encrypt=True;\"\n  }\n}\n", 3)),
        ("credentials", "odbc", "odbc-connection-string", "etl/connect.py",
         lambda: (f"conn = pyodbc.connect(\"Driver={{ODBC Driver 18 for SQL Server}};Server=sql01;Database=dw;Uid=etl;Pwd={pw()};\")\n", 1)),
        ("credentials", "netrc", "netrc", ".netrc",
         lambda: (f"machine api.heroku.com\n  login ops@corp.example\n  password {r(HX, 8)}-{r(HX, 4)}-{r(HX, 4)}-{r(HX, 4)}-{r(HX, 12)}\n", 3)),
        ("credentials", "netrc", "netrc-one-line", ".netrc",
         lambda: (f"machine git.corp.example login deploy password {pw(20)}\n", 1)),
        ("credentials", "npmrc", "npmrc-authtoken", ".npmrc",
         lambda: (f"registry=https://npm.corp.example/\n//npm.corp.example/:_authToken={uuid()}\n", 2)),
        ("credentials", "npmrc", "npmrc-auth", ".npmrc",
         lambda: (f"//registry.corp.example/:_auth={b64s(('ci:' + pw()).encode())}\nalways-auth=true\n", 1)),
        ("credentials", "pypirc", "pypirc", ".pypirc",
         lambda: (f"[distutils]\nindex-servers = internal\n\n[internal]\nrepository = https://pypi.corp.example/\nusername = ci\npassword = {pw(18)}\n", 7)),
        ("credentials", "maven", "maven-settings", ".m2/settings.xml",
         lambda: (f"<settings>\n  <servers>\n    <server>\n      <id>nexus</id>\n      <username>ci</username>\n      <password>{pw()}</password>\n    </server>\n  </servers>\n</settings>\n", 6)),
        ("credentials", "git-credentials", "git-credentials", ".git-credentials",
         lambda: (f"https://deploy:{url_pw(20)}@git.corp.example\n", 1)),
        ("credentials", "docker", "docker-config-auth", ".docker/config.json",
         lambda: ("{\n  \"auths\": {\n    \"registry.corp.example\": {\n      \"auth\": \"" + b64s(("ci:" + pw()).encode()) + "\"\n    }\n  }\n}\n", 4)),
        ("credentials", "kubeconfig", "kubeconfig-token", "kubeconfig",
         lambda: ("apiVersion: v1\nkind: Config\nusers:\n- name: ci\n  user:\n    token: " + jwt({"iss": "kubernetes/serviceaccount", "sub": "system:serviceaccount:ci:deployer"}) + "\n", 6)),
        ("credentials", "htpasswd", "htpasswd-bcrypt", ".htpasswd",
         lambda: (f"admin:$2y$10${r(B64.replace('+', '.'), 53)}\n", 1)),
        ("credentials", "htpasswd", "htpasswd-apr1", "conf/.htpasswd",
         lambda: (f"ops:$apr1${r(AN, 8)}${r(AN + './', 22)}\n", 1)),
        ("credentials", "shadow", "shadow-sha512", "etc/shadow",
         lambda: (f"root:$6${r(AN, 16)}${r(AN + './', 86)}:19700:0:99999:7:::\n", 1)),
        ("credentials", "framework", "laravel-app-key", ".env",
         lambda: (f"APP_NAME=shop\nAPP_KEY=base64:{b64s(rand_bytes(32))}\n", 2)),
        ("credentials", "framework", "rails-secret-key-base", "config/secrets.yml",
         lambda: (f"production:\n  secret_key_base: {r(HX, 128)}\n", 2)),
        ("credentials", "framework", "django-secret-key", "mysite/settings.py",
         lambda: (f"DEBUG = False\nSECRET_KEY = '{r(LO + D + '!@#%^&*(-_=+)', 50)}'\n", 2)),
    ]
    # private keys in their containers
    out += [
        ("keys", "pem", "rsa-pkcs1", "deploy/id_rsa", lambda: (pem("RSA PRIVATE KEY", 1190, b"\x30\x82\x04\xa4\x02\x01\x00") + "\n", 1)),
        ("keys", "pem", "pkcs8", "certs/server.key", lambda: (pem("PRIVATE KEY", 1210, b"\x30\x82\x04\xbe\x02\x01\x00") + "\n", 1)),
        ("keys", "pem", "ec", "certs/ec.key", lambda: (pem("EC PRIVATE KEY", 118, b"\x30\x77\x02\x01\x01\x04\x20") + "\n", 1)),
        ("keys", "openssh", "openssh", ".ssh/id_ed25519",
         lambda: ("-----BEGIN OPENSSH PRIVATE KEY-----\n" + "\n".join((lambda s: [s[i:i + 70] for i in range(0, len(s), 70)])(b64s(b"openssh-key-v1\x00" + rand_bytes(380)))) + "\n-----END OPENSSH PRIVATE KEY-----\n", 1)),
        ("keys", "pem", "json-escaped", "config/service.json",
         lambda: ("{\"private_key\": \"" + pem("PRIVATE KEY", 1210, b"\x30\x82\x04\xbe\x02\x01\x00").replace("\n", "\\n") + "\\n\"}\n", 1)),
        ("keys", "pgp", "pgp-private-block", "keys/signing.asc",
         lambda: ("-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n" + "\n".join((lambda s: [s[i:i + 64] for i in range(0, len(s), 64)])(b64s(b"\x95\x03\xc6" + rand_bytes(900)))) + "\n=" + r(B64, 4) + "\n-----END PGP PRIVATE KEY BLOCK-----\n", 1)),
        ("keys", "putty", "ppk-v3", "keys/deploy.ppk",
         lambda: ("PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: deploy\nPublic-Lines: 2\n" + r(B64, 64) + "\n" + r(B64, 4) + "\nPrivate-Lines: 1\n" + r(B64, 44) + "\nPrivate-MAC: " + r(HX, 64) + "\n", 7)),
        ("keys", "age", "age-identity", "keys/age.txt",
         lambda: ("# created: 2026-01-01T00:00:00Z\n# public key: age1" + r("qpzry9x8gf2tvdw0s3jn54khce6mua7l", 58) + "\nAGE-SECRET-KEY-1" + r("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58) + "\n", 3)),
        ("keys", "jwk", "jwk-ec-private", "keys/signing.jwk",
         lambda: (json.dumps({"kty": "EC", "crv": "P-256", "x": r(URL, 43), "y": r(URL, 43), "d": r(URL, 43), "kid": "sig-1"}) + "\n", 1)),
        ("cloud", "gcp", "service-account-json", "gcp-key.json",
         lambda: (json.dumps({"type": "service_account", "project_id": "shop-prod", "private_key_id": r(HX, 40),
                              "private_key": pem("PRIVATE KEY", 1210, b"\x30\x82\x04\xbe\x02\x01\x00") + "\n",
                              "client_email": "deployer@shop-prod.iam.gserviceaccount.com", "client_id": r(D, 21)}, indent=2) + "\n", None)),
        ("cloud", "azure", "storage-connection-string", "appsettings.Production.json",
         lambda: ("{\n  \"Storage\": \"DefaultEndpointsProtocol=https;AccountName=shopdata;AccountKey=" + b64s(rand_bytes(64)) + ";EndpointSuffix=core.windows.net\"\n}\n", 2)),
        ("cloud", "azure", "sas-token", "scripts/upload.sh",
         lambda: (f"curl -X PUT -T build.zip \"https://shopdata.blob.core.windows.net/builds/build.zip?sv=2022-11-02&ss=b&srt=co&sp=rwdlac&se=2027-01-01T00:00:00Z&st=2026-01-01T00:00:00Z&spr=https&sig={b64s(rand_bytes(32)).replace('+', '%2B').replace('/', '%2F').replace('=', '%3D')}\"\n", 1)),
        ("cloud", "aws", "credentials-file", ".aws/credentials",
         lambda: (f"[default]\naws_access_key_id = AKIA{r(UP + '234567', 16)}\naws_secret_access_key = {r(B64, 40)}\n", 2)),
        ("secrets-managers", "infisical", "client-secret-pair", ".env.dev",
         lambda: (f"INFISICAL_CLIENT_ID={uuid()}\nINFISICAL_CLIENT_SECRET={r(HX, 64)}\n", 2)),
    ]
    return out


# --------------------------------------------------------------------------------- hard negatives
def negatives():
    """(kind, file name, text): each file must produce no finding at all."""
    empty = {"md5": "d41d8cd98f00b204e9800998ecf8427e", "sha1": "da39a3ee5e6b4b0d3255bfef95601890afd80709",
             "sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}
    n = []
    add = lambda kind, name, text: n.append((kind, name, text))
    for i in range(8):
        add("code-expression", f"app/views_{i}.py",
            f"def login(request):\n    password = request.form[\"password\"]\n    api_token = get_token(user.id)\n    secret = settings.{R.choice(['SECRET_KEY', 'JWT_SECRET'])}\n    client_secret = os.environ.get(\"CLIENT_SECRET\", \"\")\n")
        add("code-expression", f"src/auth_{i}.ts",
            f"const password = req.body.password;\nconst token = await this.tokenService.issue(user);\nconst apiKey = config.get('apiKey');\nthis.secret = opts.secret ?? process.env.APP_SECRET;\n")
        add("html-entity-template", f"templates/form_{i}.html",
            "<label>Password</label>\n<input name=\"password\" placeholder=\"&lt;YOURPASSWORD&gt;\">\n<p>token: {{ .Values.auth.token }}</p>\n<p>api_key: {{ api_key }}</p>\n<p>secret: <%= @secret %></p>\n")
        add("helm-values-template", f"charts/app/templates/secret_{i}.yaml",
            "apiVersion: v1\nkind: Secret\nstringData:\n  DB_PASSWORD: {{ .Values.db.password | quote }}\n  API_TOKEN: {{ required \"token\" .Values.token }}\n")
        add("regex", f"lib/validate_{i}.js",
            "const PASSWORD_RE = /^(?=.*[A-Z])(?=.*\\d)[A-Za-z\\d@$!%*?&]{8,}$/;\nconst token_pattern = '[A-Za-z0-9_-]{32,64}';\nsecret_regex = r\"(?i)secret[=:]\\s*([a-z0-9]{20,})\"\n")
        algo = R.choice(list(empty))
        add("well-known-digest", f"checksums/{algo}_{i}.txt",
            f"EMPTY_FILE_{algo.upper()}={empty[algo]}\nsecret_hash: {empty[algo]}\napi_key_checksum = \"{empty[algo]}\"\n")
        add("package-version", f"pkg_{i}/package.json",
            json.dumps({"dependencies": {"minipass": "^7.0.3", "passport": "^0.7.0", "jsonwebtoken": "9.0.2",
                                         "keytar": "~7.9.0", "secret-handshake": "1.1.21", "token-types": "^5.0.1"}}, indent=2) + "\n")
        add("package-version", f"pkg_{i}/pnpm-lock.yaml",
            "packages:\n  passport-jwt@4.0.1:\n    resolution: {integrity: sha512-" + r(B64, 86) + "==}\n  minipass: ^7.0.3\n")
        add("cli-flag", f"scripts/run_{i}.yaml",
            "tasks:\n  serve:\n    Pass: --allow-net\n    token: --token-file=/run/secrets/token\n    password: --password-stdin\n")
        add("shell-fragment", f"scripts/setup_{i}.sh",
            "PASSWORD=$(openssl rand -hex 16) && \\\n  true \\\nTOKEN=\"$(cat /run/secrets/token)\"\nSECRET=`vault kv get -field=secret kv/app`\n")
        add("file-path", f"config/paths_{i}.ini",
            "[tls]\nprivate_key = /etc/ssl/private/server-key.pem\nsecret_file = ./secrets/prod/app-secret.json\npassword_file = C:\\\\secrets\\\\db-password.txt\n")
        add("css-selector", f"static/site_{i}.css",
            ".password-field > input[type=\"password\"]:focus { outline: 0 }\n#api-key-display, .token-row:nth-child(2n+1) { color: #1f2d3d; }\n")
        add("translation-key", f"locales/en_{i}.yml",
            "en:\n  auth:\n    password: \"Password\"\n    password_confirmation: \"Confirm your password\"\n    token_expired: \"Your session token has expired\"\n    api_key_label: \"API key\"\n")
        add("placeholder", f"docs/config_{i}.env.example",
            f"GITHUB_TOKEN=ghp_{'x' * 36}\nSTRIPE_SECRET_KEY=sk_live_<your key>\nAWS_SECRET_ACCESS_KEY=your-secret-access-key\nDATABASE_URL=postgres://user:password@localhost:5432/db\nOPENAI_API_KEY=sk-...\n")
        add("env-reference", f"deploy/values_{i}.yaml",
            "env:\n  API_TOKEN: ${API_TOKEN}\n  DB_PASSWORD: \"${{ secrets.DB_PASSWORD }}\"\n  SLACK_WEBHOOK_URL: $(SLACK_WEBHOOK_URL)\n  SECRET_KEY: '%(SECRET_KEY)s'\n")
        add("uuid-and-ids", f"data/ids_{i}.json",
            json.dumps({"request_id": uuid(), "trace_id": r(HX, 32), "commit": r(HX, 40), "build": r(D, 9)}) + "\n")
        add("public-material", f"keys/pub_{i}.txt",
            f"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{r(B64, 43)} ci@example\n-----BEGIN PUBLIC KEY-----\n{r(B64, 64)}\n-----END PUBLIC KEY-----\n")
        # near-miss tokens: right prefix, wrong checksum / length / alphabet
        good = crc_token("ghp_")
        bad = good[:-1] + ("A" if good[-1] != "A" else "B")
        add("near-miss-token", f"tests/fixtures/tokens_{i}.txt",
            f"bad checksum {bad}\nshort AKIA{r(UP + '234567', 12)}\nlower akia{r(LO, 16)}\nlong glpat-{r(HX, 3)}\n")
    return n


def main():
    out = sys.argv[1]
    files = os.path.join(out, "files")
    os.makedirs(files, exist_ok=True)
    labels, negs = [], []

    def write(rel, text):
        path = os.path.join(files, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)

    syn_names = sorted(SYN)
    idx = 0
    for family, provider, kind, key, gen in T:
        shapeless = f"{provider}/{kind}" in SHAPELESS
        placements = R.sample(syn_names, 4)
        for s in placements:
            idx += 1
            name, render = SYN[s]
            value = gen()
            text, line = render(key, value)
            if line is None:
                line = 1 + text[: text.index(value)].count("\n")
            rel = f"pos/{idx:05d}/{name}"
            write(rel, text)
            labels.append({"path": rel, "line": line, "end_line": line, "family": family,
                           "provider": provider, "kind": f"{kind}/{s}"})
        if not shapeless:
            for s, (name, render) in BARE.items():
                idx += 1
                value = gen()
                text, line = render(value)
                rel = f"pos/{idx:05d}/{name}"
                write(rel, text)
                labels.append({"path": rel, "line": line, "end_line": line, "family": family,
                               "provider": provider, "kind": f"{kind}/{s}"})
    for family, provider, kind, name, render in containers():
        for _ in range(3):
            idx += 1
            text, line = render()
            end = line
            if line is None:
                line, end = 1, text.count("\n")
            elif "-----BEGIN" in text or "PuTTY" in text:
                end = text.count("\n")
            rel = f"pos/{idx:05d}/{name}"
            write(rel, text)
            labels.append({"path": rel, "line": line, "end_line": end, "family": family,
                           "provider": provider, "kind": kind})
    for kind, name, text in negatives():
        idx += 1
        rel = f"neg/{idx:05d}/{name}"
        write(rel, text)
        negs.append({"path": rel, "kind": kind})
    with open(os.path.join(out, "labels.json"), "w") as f:
        json.dump(labels, f, indent=0)
    with open(os.path.join(out, "negatives.json"), "w") as f:
        json.dump(negs, f, indent=0)
    print(f"{len(labels)} positives, {len(negs)} negative files", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[2] == "--seed":
        R.seed(int(sys.argv[3]))
    main()
