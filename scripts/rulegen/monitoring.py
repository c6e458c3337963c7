"""Spec of rules/monitoring.toml: monitoring, observability, logging, alerting and uptime services
(plus product-analytics / SaaS / dev-platform rules that regen.py moves to rules/social.toml,
rules/saas.toml and rules/devtools.toml).

Regenerate every pack with `python3 scripts/rulegen/regen.py`: it runs this spec and moves each
rule to the pack of its provider's category (`PACK_OF` in regen.py), so some rules written here
live in another pack.

Run `python3 scripts/rulegen/regen.py` (hand-written rules are read from scripts/rulegen/hand/monitoring.toml) and then `leakless rules check rules/monitoring.toml`. Patterns follow each
provider's documented token format; example values are random fakes.
"""

import base64
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from rulegen import (  # noqa: E402
    ALNUM, END, HEX, PREFIXED, SEP, UUID, URLSAFE, Fmt, LOWER, alnum_lower, alnum_upper, b62, b64,
    b64url, ctx_rule, digits, hexs, prefix_rule, rand, reseed, rule, uuid4,
)
from pam_common import generate, pnegs  # noqa: E402

reseed(0x3017)

UUID_RE = UUID().regex
ELASTIC_KW = [f"{b}{s}{w}" for b in ("elastic", "elasticsearch") for s in ("_", "-", ".", "")
              for w in ("api", "cloud")]
HC_KW = [f"healthchecks{s}{w}" for s in ("_", "-", ".", "") for w in ("api", "io")]
R = []

SPLUNK_HDR = base64.urlsafe_b64encode(
    b'{"kid":"splunk.secret","alg":"HS512","ver":"v2","ttyp":"static"}').decode().rstrip("=")


def splunk_token():
    return SPLUNK_HDR + ".eyJ" + b64url(240) + "." + b64url(86)


def grafana_legacy_key():
    raw = ('{"k":"' + b62(32) + '","n":"ci-' + alnum_lower(6) + '","id":' + digits(6) + "}").encode()
    return base64.b64encode(raw).decode()


# ---------------------------------------------------------------- New Relic
NR_KW = ["newrelic", "new_relic", "new-relic", "new.relic"]
R += [
    prefix_rule(
        "newrelic-admin-api-key", "newrelic", "New Relic admin API key (NRAA-)",
        regex=r"\b(NRAA-[a-f0-9]{27})\b", keywords=["nraa-"],
        sample=lambda: "NRAA-" + hexs(27), env_var="NEW_RELIC_ADMIN_API_KEY", entropy=3.0,
        rotate="https://one.newrelic.com/admin-portal/api-keys/home",
        negatives=pnegs("NEW_RELIC_ADMIN_API_KEY", "NRAA-", lambda: "NRAA-" + hexs(27))),
    prefix_rule(
        "newrelic-insights-query-key", "newrelic", "New Relic Insights query key (NRIQ-)",
        regex=r"\b(NRIQ-[A-Za-z0-9_\-]{32})(?:[^A-Za-z0-9_\-]|$)", keywords=["nriq-"],
        sample=lambda: "NRIQ-" + b64url(32), env_var="NEW_RELIC_QUERY_KEY", severity="medium",
        entropy=3.5, rotate="https://one.newrelic.com/admin-portal/api-keys/home",
        negatives=pnegs("NEW_RELIC_QUERY_KEY", "NRIQ-", lambda: "NRIQ-" + b64url(32))),
    prefix_rule(
        "newrelic-pixie-api-key", "newrelic", "New Relic Pixie API key (px-api-)",
        regex=r"\b(px-api-" + UUID_RE + r")\b", keywords=["px-api-"],
        sample=lambda: "px-api-" + uuid4(), env_var="PIXIE_API_KEY",
        rotate="https://work.withpixie.ai/admin",
        negatives=pnegs("PIXIE_API_KEY", "px-api-", lambda: "px-api-" + uuid4())),
    prefix_rule(
        "newrelic-pixie-deploy-key", "newrelic", "New Relic Pixie deployment key (px-dep-)",
        regex=r"\b(px-dep-" + UUID_RE + r")\b", keywords=["px-dep-"],
        sample=lambda: "px-dep-" + uuid4(), env_var="PX_DEPLOY_KEY", severity="medium",
        rotate="https://work.withpixie.ai/admin",
        negatives=pnegs("PX_DEPLOY_KEY", "px-dep-", lambda: "px-dep-" + uuid4())),
    ctx_rule("newrelic-legacy-license-key", "newrelic",
             "New Relic legacy license key (40 hex next to new relic license)",
             name=r"new[_.\-]?relic[\w.\-]{0,20}licen[sc]e", key="NEW_RELIC_LICENSE_KEY", value=HEX(40),
             keywords=NR_KW, rotate="https://one.newrelic.com/admin-portal/api-keys/home"),
]

# ---------------------------------------------------------------- Sentry / Grafana / Dynatrace
R += [
    ctx_rule("sentry-legacy-auth-token", "sentry", "Sentry auth token, legacy format (64 hex next to sentry)",
             name=r"sentry[\w.\-]{0,20}(?:auth[_.\-]?)?token", key="SENTRY_AUTH_TOKEN", value=HEX(64),
             rotate="https://sentry.io/settings/account/api/auth-tokens/",
             aliases=["sentry-access-token"]),
    prefix_rule(
        "grafana-api-key", "grafana", "Grafana legacy API key (base64 JSON eyJrIjoi…)",
        regex=r"\b(eyJrIjoi[A-Za-z0-9+/]{50,400}={0,2})(?:[^A-Za-z0-9+/=]|$)", keywords=["eyjrijoi"],
        sample=grafana_legacy_key, env_var="GRAFANA_API_KEY", entropy=4.0,
        rotate="https://grafana.com/docs/grafana/latest/administration/service-accounts/migrate-api-keys/",
        aliases=["grafana-api-key"],
        negatives=["GRAFANA_API_KEY=eyJrIjoi", "GRAFANA_API_KEY=${GRAFANA_API_KEY}",
                   "grafana_api_key: <grafana-api-key>",
                   "GRAFANA_API_KEY=eyJrIjoixxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"]),
    prefix_rule(
        "dynatrace-platform-token", "dynatrace",
        "Dynatrace platform token / OAuth client secret (dt0s02.–dt0s19.)",
        regex=r"\b(dt0s(?:0[2-9]|1[0-9])\.[A-Z0-9]{8,24}\.[A-Z0-9]{64})\b",
        keywords=["dt0s0", "dt0s1"],
        sample=lambda: "dt0s16." + alnum_upper(24) + "." + alnum_upper(64),
        env_var="DT_PLATFORM_TOKEN", entropy=4.0,
        rotate="https://docs.dynatrace.com/docs/manage/identity-access-management/access-tokens-and-oauth-clients",
        negatives=pnegs("DT_PLATFORM_TOKEN", "dt0s16.", lambda: "dt0s16." + alnum_upper(24) + "." + alnum_upper(64),
                        "DT_CLIENT_ID=dt0s02." + alnum_upper(8))),
]

# ---------------------------------------------------------------- alerting / on-call
R += [
    ctx_rule("opsgenie-api-key", "opsgenie", "Opsgenie API key (UUID next to opsgenie / GenieKey)",
             name=r"ops[_.\-]?genie[\w.\-]{0,20}(?:key|token)|geniekey", key="OPSGENIE_API_KEY",
             value=UUID(), keywords=["opsgenie", "ops_genie", "ops-genie", "geniekey"],
             extra_examples=["curl -H 'Authorization: GenieKey " + uuid4() + "' https://api.opsgenie.com/v2/alerts"],
             rotate="https://app.opsgenie.com/settings/api-key-management"),
    ctx_rule("victorops-api-key", "victorops", "Splunk On-Call (VictorOps) API key (32 hex next to victorops)",
             name=r"victor[_.\-]?ops[\w.\-]{0,20}(?:key|token)", key="VICTOROPS_API_KEY", value=HEX(32),
             keywords=["victorops", "victor_ops", "victor-ops"],
             rotate="https://portal.victorops.com/dash/"),
]

# ---------------------------------------------------------------- Splunk / SignalFx / Sumo
SFX_KW = [f"sfx{s}{w}" for s in ("_", "-", ".", "") for w in ("access", "auth", "api", "token")] + [
          "signalfx", "x-sf-token", "splunk_o11y", "splunk-o11y", "splunko11y",
          "splunk_observability", "splunk-observability", "splunkobservability"]
R += [
    prefix_rule(
        "splunk-authentication-token", "splunk", "Splunk Enterprise / Cloud authentication token (JWT, kid splunk.secret)",
        regex=r"\b(eyJraWQiOiJzcGx1bmsuc2VjcmV0Ii[A-Za-z0-9_\-]{20,200}\.eyJ[A-Za-z0-9_\-]{50,1000}\.[A-Za-z0-9_\-]{40,200})(?:[^A-Za-z0-9_\-]|$)",
        keywords=["eyjrawqioijzcgx1bmsuc2vjcmv0ii"], sample=splunk_token, env_var="SPLUNK_TOKEN",
        entropy=4.0, rotate="https://docs.splunk.com/Documentation/Splunk/latest/Security/Setupauthenticationwithtokens",
        negatives=pnegs("SPLUNK_TOKEN", SPLUNK_HDR + ".", lambda: SPLUNK_HDR + ".eyJ" + b64url(40))),
    ctx_rule("signalfx-access-token", "splunk",
             "Splunk Observability Cloud (SignalFx) access token (22 chars next to signalfx / X-SF-Token)",
             name=r"signalfx|sfx[_.\-]?(?:access[_.\-]?|auth[_.\-]?|api[_.\-]?)?token|x-sf-token|splunk[_.\-]?o(?:11y|bservability)", key="SIGNALFX_ACCESS_TOKEN",
             value=URLSAFE(22), keywords=SFX_KW, entropy=3.5,
             extra_examples=["-H 'X-SF-Token: " + b64url(22) + "'"],
             rotate="https://docs.splunk.com/observability/en/admin/authentication/authentication-tokens/org-tokens.html"),
    ctx_rule("sumologic-access-id", "sumologic", "Sumo Logic access ID (su + 12 next to sumo access id)",
             name=r"sumo[\w.\-]{0,20}access[_.\-]?id", key="SUMO_ACCESS_ID",
             value=PREFIXED("su", ALNUM(12)), keywords=["sumo"], entropy=2.8, severity="medium",
             rotate="https://help.sumologic.com/docs/manage/security/access-keys/",
             aliases=["sumologic-access-id"]),
    ctx_rule("sumologic-access-key", "sumologic", "Sumo Logic access key (64 alphanumerics next to sumo access key)",
             name=r"sumo[\w.\-]{0,20}access[_.\-]?key", key="SUMO_ACCESS_KEY", value=ALNUM(64),
             keywords=["sumo"], entropy=4.0, severity="critical",
             rotate="https://help.sumologic.com/docs/manage/security/access-keys/",
             aliases=["sumologic-access-token"]),
    prefix_rule(
        "sumologic-http-source-url", "sumologic", "Sumo Logic hosted collector HTTP source URL (the path is the credential)",
        regex=r"https://[A-Za-z0-9.\-]{1,60}\.sumologic\.com/receiver/v1/(?:http|otlp)/([A-Za-z0-9_\-]{50,200}={0,2})",
        keywords=["sumologic.com/receiver"],
        sample=lambda: "https://endpoint4.collection.us2.sumologic.com/receiver/v1/http/" + b64url(84) + "==",
        env_var="SUMOLOGIC_HTTP_SOURCE_URL", severity="medium", entropy=4.0,
        rotate="https://help.sumologic.com/docs/send-data/hosted-collectors/http-source/logs-metrics/",
        negatives=["SUMOLOGIC_HTTP_SOURCE_URL=https://endpoint4.collection.sumologic.com/receiver/v1/http/<token>",
                   "SUMOLOGIC_HTTP_SOURCE_URL=https://endpoint4.collection.sumologic.com/receiver/v1/http/",
                   "SUMOLOGIC_HTTP_SOURCE_URL=${SUMO_URL}",
                   "see https://help.sumologic.com/receiver/v1/http/ for the format"]),
]

# ---------------------------------------------------------------- log shipping
LOGZ_KW = ["logzio", "logz_io", "logz-io", "logz.io"]
R += [
    ctx_rule("logzio-shipping-token", "logzio", "Logz.io log shipping token (32 letters next to logz.io)",
             name=r"logz[_.\-]?io[\w.\-]{0,20}(?:token|key)", key="LOGZIO_SHIPPING_TOKEN",
             value=Fmt(r"[A-Za-z]{32}", lambda: rand(LOWER + LOWER.upper(), 32)), keywords=LOGZ_KW,
             entropy=3.8, rotate="https://app.logz.io/#/dashboard/settings/manage-tokens/data-shipping"),
    ctx_rule("logzio-api-token", "logzio", "Logz.io API token (UUID next to logz.io api token)",
             name=r"logz[_.\-]?io[\w.\-]{0,20}api[_.\-]?(?:token|key)", key="LOGZIO_API_TOKEN", value=UUID(),
             keywords=LOGZ_KW, rotate="https://app.logz.io/#/dashboard/settings/manage-tokens/api"),
    rule("loggly-customer-token", "loggly", "Loggly customer token (UUID next to loggly, or in a loggly.com/inputs URL)",
         regex=r"(?:(?i:loggly)[\w.\-]{0,25}" + SEP + r"|loggly\.com/(?:inputs|bulk)/)(" + UUID_RE + r")" + END,
         keywords=["loggly"],
         examples=["LOGGLY_TOKEN=" + uuid4(),
                   "curl -H 'content-type:text/plain' -d 'hi' https://logs-01.loggly.com/inputs/" + uuid4() + "/tag/http/",
                   "\"logglyCustomerToken\": \"" + uuid4() + "\""],
         negative_examples=["LOGGLY_TOKEN=${LOGGLY_TOKEN}",
                            "https://logs-01.loggly.com/inputs/TOKEN/tag/http/",
                            "LOGGLY_TOKEN=" + uuid4()[:18],
                            "loggly docs mention the value " + uuid4() + " in passing"],
         severity="medium", confidence="medium", entropy=3.0, env_var="LOGGLY_TOKEN",
         rotate="https://documentation.solarwinds.com/en/success_center/loggly/content/admin/customer-token-authentication-token.htm"),
    ctx_rule("papertrail-api-token", "papertrail", "Papertrail API token (20 alphanumerics next to papertrail)",
             name=r"papertrail[\w.\-]{0,20}(?:key|token)", key="PAPERTRAIL_API_TOKEN", value=ALNUM(20),
             entropy=3.0, rotate="https://papertrailapp.com/account/profile"),
    ctx_rule("logentries-token", "logentries", "Logentries / InsightOps log token (UUID next to logentries)",
             name=r"logentries[\w.\-]{0,20}(?:key|token)", key="LOGENTRIES_TOKEN", value=UUID(),
             severity="medium", rotate="https://docs.rapid7.com/insightops/"),
    ctx_rule("mezmo-ingestion-key", "mezmo", "Mezmo (LogDNA) ingestion key (32 hex next to logdna/mezmo)",
             name=r"(?:logdna|mezmo)[\w.\-]{0,20}(?:key|token)", key="MEZMO_INGESTION_KEY", value=HEX(32),
             keywords=["logdna", "mezmo"], rotate="https://app.mezmo.com/manage/api-keys"),
    ctx_rule("sematext-app-token", "sematext", "Sematext Cloud app token (UUID next to sematext)",
             name=r"sematext[\w.\-]{0,20}(?:token|key)", key="SEMATEXT_LOGS_TOKEN", value=UUID(),
             severity="medium", rotate="https://apps.sematext.com/ui/account/api"),
    ctx_rule("betterstack-source-token", "betterstack",
             "Better Stack (Logtail) source token (24 alphanumerics next to logtail / better stack source token)",
             name=r"logtail[\w.\-]{0,20}token|better[_.\-]?stack[\w.\-]{0,20}source[_.\-]?token",
             key="LOGTAIL_SOURCE_TOKEN", value=ALNUM(24),
             keywords=["logtail", "betterstack", "better_stack", "better-stack", "better.stack"],
             entropy=3.3, severity="medium", rotate="https://telemetry.betterstack.com/team/0/sources"),
    ctx_rule("betterstack-api-token", "betterstack",
             "Better Stack / Better Uptime API token (24 alphanumerics next to better uptime / betterstack api token)",
             name=r"better[_.\-]?uptime[\w.\-]{0,20}token|better[_.\-]?stack[_.\-]?(?:api|uptime)[_.\-]?token",
             key="BETTER_UPTIME_API_TOKEN", value=ALNUM(24),
             keywords=["betteruptime", "better_uptime", "better-uptime", "better.uptime", "betterstack",
                       "better_stack", "better-stack", "better.stack"],
             entropy=3.3, rotate="https://uptime.betterstack.com/team/0/api-tokens"),
    prefix_rule(
        "axiom-api-token", "axiom", "Axiom API token (xaat-)",
        regex=r"\b(xaat-" + UUID_RE + r")\b", keywords=["xaat-"],
        sample=lambda: "xaat-" + uuid4(), env_var="AXIOM_TOKEN",
        rotate="https://app.axiom.co/settings/api-tokens",
        negatives=pnegs("AXIOM_TOKEN", "xaat-", lambda: "xaat-" + uuid4(),
                        "AXIOM_TOKEN=xaat-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx")),
    prefix_rule(
        "axiom-personal-token", "axiom", "Axiom personal access token (xapt-)",
        regex=r"\b(xapt-" + UUID_RE + r")\b", keywords=["xapt-"],
        sample=lambda: "xapt-" + uuid4(), env_var="AXIOM_TOKEN", severity="critical",
        rotate="https://app.axiom.co/profile",
        negatives=pnegs("AXIOM_TOKEN", "xapt-", lambda: "xapt-" + uuid4())),
    prefix_rule(
        "elastic-cloud-api-key", "elastic", "Elastic Cloud API key (essu_)",
        regex=r"\b(essu_[A-Za-z0-9+/]{60,200}={0,2})(?:[^A-Za-z0-9+/=]|$)", keywords=["essu_"],
        sample=lambda: "essu_" + b64(94) + "==", env_var="EC_API_KEY", entropy=4.0,
        rotate="https://cloud.elastic.co/account/keys",
        negatives=pnegs("EC_API_KEY", "essu_", lambda: "essu_" + b64(94))),
    ctx_rule("elasticsearch-api-key", "elastic",
             "Elasticsearch API key (base64 id:key next to elastic api key)",
             name=r"elastic(?:search)?[_.\-]?(?:cloud[_.\-]?)?api[_.\-]?key", key="ELASTIC_API_KEY",
             value=Fmt(r"[A-Za-z0-9+/]{40,120}={0,2}", lambda: b64(59) + "="), keywords=ELASTIC_KW,
             entropy=4.0, rotate="https://www.elastic.co/guide/en/elasticsearch/reference/current/security-api-invalidate-api-key.html"),
    ctx_rule("elastic-apm-secret-token", "elastic", "Elastic APM server secret token (next to elastic apm secret token)",
             name=r"elastic[_.\-]?apm[_.\-]?secret[_.\-]?token", key="ELASTIC_APM_SECRET_TOKEN",
             value=ALNUM(32, lo=24), keywords=["elastic_apm", "elastic-apm", "elastic.apm", "elasticapm"], entropy=3.3,
             rotate="https://www.elastic.co/guide/en/observability/current/apm-secret-token.html"),
    prefix_rule(
        "coralogix-api-key", "coralogix", "Coralogix API / send-your-data key (cxtp_)",
        regex=r"\b(cxtp_[A-Za-z0-9]{30})\b", keywords=["cxtp_"],
        sample=lambda: "cxtp_" + b62(30), env_var="CORALOGIX_PRIVATE_KEY", entropy=3.8,
        rotate="https://coralogix.com/docs/user-guides/account-management/api-keys/api-keys/",
        negatives=pnegs("CORALOGIX_PRIVATE_KEY", "cxtp_", lambda: "cxtp_" + b62(30),
                        "m_yOffset = CXTP_max(0, pContent->GetDesiredSize().cy);")),
    prefix_rule(
        "coralogix-personal-key", "coralogix", "Coralogix personal API key (cxup_)",
        regex=r"\b(cxup_[A-Za-z0-9]{30})\b", keywords=["cxup_"],
        sample=lambda: "cxup_" + b62(30), env_var="CORALOGIX_API_KEY", entropy=3.8,
        rotate="https://coralogix.com/docs/user-guides/account-management/api-keys/api-keys/",
        negatives=pnegs("CORALOGIX_API_KEY", "cxup_", lambda: "cxup_" + b62(30))),
    ctx_rule("coralogix-legacy-private-key", "coralogix", "Coralogix legacy private key (UUID next to coralogix)",
             name=r"coralogix[\w.\-]{0,20}key", key="CORALOGIX_PRIVATE_KEY", value=UUID(),
             rotate="https://coralogix.com/docs/user-guides/account-management/api-keys/api-keys/"),
    ctx_rule("librato-api-token", "librato", "Librato (AppOptics) API token (64 hex next to librato)",
             name=r"librato[\w.\-]{0,20}(?:token|key)", key="LIBRATO_TOKEN", value=HEX(64),
             rotate="https://metrics.librato.com/account/api_tokens"),
]

# ---------------------------------------------------------------- APM / error tracking
R += [
    ctx_rule("bugsnag-api-key", "bugsnag", "Bugsnag project / integration API key (32 hex next to bugsnag)",
             name=r"bugsnag[\w.\-]{0,20}(?:key|token)", key="BUGSNAG_API_KEY", value=HEX(32),
             severity="medium", rotate="https://app.bugsnag.com/settings/"),
    ctx_rule("raygun-api-key", "raygun", "Raygun application API key (next to raygun)",
             name=r"raygun[\w.\-]{0,20}(?:key|token)", key="RAYGUN_API_KEY", value=ALNUM(24, lo=20),
             entropy=3.3, severity="medium", rotate="https://app.raygun.com/"),
    ctx_rule("airbrake-project-key", "airbrake", "Airbrake project key (32 hex next to airbrake)",
             name=r"airbrake[\w.\-]{0,20}(?:key|token)", key="AIRBRAKE_PROJECT_KEY", value=HEX(32),
             severity="medium", rotate="https://airbrake.io/docs/api/"),
    ctx_rule("honeybadger-api-key", "honeybadger", "Honeybadger API key (next to honeybadger)",
             name=r"honeybadger[\w.\-]{0,20}(?:key|token)", key="HONEYBADGER_API_KEY",
             value=Fmt(r"(?:hbp_)?[A-Za-z0-9]{20,40}", lambda: "hbp_" + b62(36)), entropy=3.8,
             rotate="https://app.honeybadger.io/users/edit#authentication"),
    ctx_rule("lightstep-access-token", "lightstep",
             "Lightstep / ServiceNow Cloud Observability access token (next to lightstep)",
             name=r"lightstep[\w.\-]{0,20}(?:key|token)", key="LIGHTSTEP_ACCESS_TOKEN",
             value=Fmt(r"[A-Za-z0-9+/]{60,128}={0,2}", lambda: b64(84)), entropy=4.0,
             rotate="https://docs.lightstep.com/docs/create-and-manage-access-tokens"),
    ctx_rule("instana-api-token", "instana", "IBM Instana API token / agent key (22 chars next to instana)",
             name=r"instana[\w.\-]{0,20}(?:key|token)", key="INSTANA_API_TOKEN", value=URLSAFE(22),
             entropy=3.5, rotate="https://www.ibm.com/docs/en/instana-observability/current?topic=apis-instana-rest-api"),
    ctx_rule("appdynamics-access-key", "appdynamics",
             "AppDynamics controller account access key (12 chars next to appdynamics access key)",
             name=r"appd(?:ynamics)?[\w.\-]{0,20}(?:access[_.\-]?key|account[_.\-]?access)",
             key="APPDYNAMICS_AGENT_ACCOUNT_ACCESS_KEY",
             value=Fmt(r"[a-z0-9]{12}", lambda: alnum_lower(12)), keywords=["appdynamics", "appd_", "appd-", "appd."],
             entropy=2.5, rotate="https://docs.appdynamics.com/appd/24.x/latest/en/appdynamics-essentials/agent-management"),
    ctx_rule("scout-apm-key", "scoutapm", "Scout APM agent key (20 alphanumerics next to scout key)",
             name=r"scout[_.\-]?(?:apm[_.\-]?)?key", key="SCOUT_KEY", value=ALNUM(20),
             keywords=["scout_key", "scout-key", "scout.key", "scoutkey", "scout_apm", "scout-apm", "scoutapm",
                       "scout.apm"],
             entropy=3.0, rotate="https://scoutapm.com/settings"),
    ctx_rule("atatus-license-key", "atatus", "Atatus license key (next to atatus)",
             name=r"atatus[\w.\-]{0,20}(?:licen[sc]e|key)", key="ATATUS_LICENSE_KEY",
             value=Fmt(r"(?:lic_apm_)?[0-9a-f]{32}", lambda: "lic_apm_" + hexs(32)),
             rotate="https://www.atatus.com/app/settings"),
    ctx_rule("k6-cloud-api-token", "grafana", "Grafana k6 Cloud API token (64 hex next to k6 cloud token)",
             name=r"k6[_.\-]?cloud[\w.\-]{0,20}token", key="K6_CLOUD_TOKEN", value=HEX(64),
             keywords=["k6_cloud", "k6-cloud", "k6cloud", "k6.cloud"],
             rotate="https://app.k6.io/account/api-token"),
    ctx_rule("zabbix-api-token", "zabbix", "Zabbix API token (64 hex next to zabbix)",
             name=r"zabbix[\w.\-]{0,20}(?:token|key)", key="ZABBIX_API_TOKEN", value=HEX(64),
             rotate="https://www.zabbix.com/documentation/current/en/manual/web_interface/frontend_sections/users/api_tokens"),
]

# ---------------------------------------------------------------- uptime / cron monitoring
UR_KW = ["uptimerobot", "uptime_robot", "uptime-robot", "uptime.robot"]
R += [
    ctx_rule("checkly-api-key", "checkly", "Checkly user API key (cu_ + 32 hex next to checkly)",
             name=r"checkly[\w.\-]{0,20}(?:key|token)", key="CHECKLY_API_KEY",
             value=PREFIXED("cu_", HEX(32)), rotate="https://app.checklyhq.com/settings/user/api-keys"),
    ctx_rule("uptimerobot-main-api-key", "uptimerobot", "UptimeRobot main API key (u<id>-<24 hex>)",
             name=r"uptime[_.\-]?robot[\w.\-]{0,20}(?:key|token)", key="UPTIMEROBOT_API_KEY",
             value=Fmt(r"u[0-9]{5,9}-[0-9a-f]{24}", lambda: "u" + digits(7) + "-" + hexs(24)),
             keywords=UR_KW, rotate="https://dashboard.uptimerobot.com/integrations"),
    ctx_rule("uptimerobot-monitor-api-key", "uptimerobot", "UptimeRobot monitor-specific API key (m<id>-<24 hex>)",
             name=r"uptime[_.\-]?robot[\w.\-]{0,20}(?:key|token)", key="UPTIMEROBOT_MONITOR_API_KEY",
             value=Fmt(r"m[0-9]{6,10}-[0-9a-f]{24}", lambda: "m" + digits(9) + "-" + hexs(24)),
             keywords=UR_KW, severity="low", rotate="https://dashboard.uptimerobot.com/integrations"),
    ctx_rule("uptimerobot-read-only-api-key", "uptimerobot", "UptimeRobot read-only API key (ur<id>-<24 hex>)",
             name=r"uptime[_.\-]?robot[\w.\-]{0,20}(?:key|token)", key="UPTIMEROBOT_READ_API_KEY",
             value=Fmt(r"ur[0-9]{5,9}-[0-9a-f]{24}", lambda: "ur" + digits(7) + "-" + hexs(24)),
             keywords=UR_KW, severity="low", rotate="https://dashboard.uptimerobot.com/integrations"),
    ctx_rule("pingdom-api-token", "pingdom", "Pingdom API 3.x token (next to pingdom)",
             name=r"pingdom[\w.\-]{0,20}(?:key|token)", key="PINGDOM_API_TOKEN", value=URLSAFE(64),
             entropy=4.0, rotate="https://my.pingdom.com/app/api-tokens"),
    ctx_rule("statuspage-api-key", "statuspage", "Atlassian Statuspage API key (next to statuspage)",
             name=r"status[_.\-]?page[\w.\-]{0,20}(?:key|token)", key="STATUSPAGE_API_KEY",
             value=Fmt(UUID_RE + r"|[0-9a-f]{32}", uuid4),
             keywords=["statuspage", "status_page", "status-page", "status.page"],
             rotate="https://manage.statuspage.io/login"),
    ctx_rule("cronitor-api-key", "cronitor", "Cronitor API key (32 hex next to cronitor)",
             name=r"cronitor[\w.\-]{0,20}(?:key|token)", key="CRONITOR_API_KEY", value=HEX(32),
             rotate="https://cronitor.io/app/settings/api"),
    ctx_rule("healthchecks-api-key", "healthchecks", "Healthchecks.io project API key (32 chars next to healthchecks)",
             name=r"healthchecks[_.\-]?(?:io[_.\-]?)?api[_.\-]?key|healthchecks[_.\-]?io[\w.\-]{0,20}key",
             key="HEALTHCHECKS_API_KEY", value=URLSAFE(32), keywords=HC_KW, entropy=4.0,
             rotate="https://healthchecks.io/projects/"),
    prefix_rule(
        "healthchecks-ping-url", "healthchecks", "Healthchecks.io ping URL (UUID or ping-key/slug; lets anyone ping the check)",
        regex=r"https?://hc-ping\.com/(" + UUID_RE + r"|[A-Za-z0-9_\-]{22}/[a-z0-9\-]{1,60})(?:[^A-Za-z0-9_\-/]|$)",
        keywords=["hc-ping.com"], sample=lambda: "https://hc-ping.com/" + uuid4(),
        env_var="HEALTHCHECKS_PING_URL", severity="low", entropy=3.0,
        rotate="https://healthchecks.io/projects/",
        negatives=["HEALTHCHECKS_PING_URL=https://hc-ping.com/your-uuid-here",
                   "HEALTHCHECKS_PING_URL=https://hc-ping.com/",
                   "HEALTHCHECKS_PING_URL=https://hc-ping.com/${HC_UUID}",
                   "curl -fsS -m 10 --retry 5 https://hc-ping.com/<uuid>"]),
]

R += [
    ctx_rule("statuscake-api-key", "statuscake", "StatusCake API key (20 alphanumerics next to statuscake)",
             name=r"status[_.\-]?cake[\w.\-]{0,20}(?:key|token)", key="STATUSCAKE_API_KEY", value=ALNUM(20),
             keywords=["statuscake", "status_cake", "status-cake", "status.cake"], entropy=3.0,
             rotate="https://app.statuscake.com/User.php"),
]

ALIASES = {
    "datadog-api-key": ["datadog-access-token"],
    "datadog-application-key": ["datadog-access-token"],
    "newrelic-user-api-key": ["new-relic-user-api-key"],
    "newrelic-insert-key": ["new-relic-insert-key"],
    "newrelic-browser-key": ["new-relic-browser-api-token"],
    "sentry-org-auth-token": ["sentry-org-token"],
    "sentry-user-auth-token": ["sentry-user-token"],
    "grafana-cloud-access-policy-token": ["grafana-cloud-api-token"],
    "grafana-service-account-token": ["grafana-service-account-token"],
    "dynatrace-api-token": ["dynatrace-api-token"],
    "algolia-admin-api-key": ["algolia-api-key"],
    "launchdarkly-key": ["launchdarkly-access-token"],
    "okta-api-token": ["okta-access-token"],
    "notion-integration-token": ["notion-api-token"],
    "linear-api-key": ["linear-api-key"],
    "contentful-delivery-token": ["contentful-delivery-api-token"],
    "dropbox-access-token": ["dropbox-short-lived-api-token"],
}

CONFIDENCE = {
    # hand-written rules whose value shape is shared by other providers; the provider keyword gates them
    "launchdarkly-key": "medium",
}

generate("monitoring", "\n".join([
    "# leakless built-in rules: monitoring, observability, logging, alerting, uptime.",
    "# Spec: scripts/rulegen/monitoring.py (hand-written rules: scripts/rulegen/hand/monitoring.toml;",
    "# its SaaS / analytics / dev-platform rules are moved to their packs by scripts/rulegen/regen.py).",
    "# Format: gitleaks v8 rules plus leakless fields (provider, severity, confidence, aliases, env_var,",
    "# rotate, examples, negative_examples).",
]), R, aliases=ALIASES, confidence=CONFIDENCE)
