"""Spec of rules/saas.toml: the long tail of business SaaS (productivity, project management,
automation, forms, scheduling, e-signature, CRM platforms, shipping, storage, video meetings).

Regenerate every pack with `python3 scripts/rulegen/regen.py`: it runs this spec and moves each
rule to the pack of its provider's category (`PACK_OF` in regen.py), so some rules written here
live in another pack.

Why this exists: these providers' credentials are mostly ambiguous values (hex, base62, UUID,
JWT) that are secrets only next to the provider's name, plus a few with a distinctive prefix
or URL (Trello ATTA, ClickUp pk_<user>_, Typeform tfp_, Zoho 1000., Salesforce session ids,
Harvest .pt., Miro, Zapier/Make/IFTTT/Bitrix24 webhook URLs). Each is written
from the provider's documented format; context rules use the shared rulegen skeleton.

Run: python3 scripts/rulegen/regen.py
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rulegen import *  # noqa: E402,F401,F403

reseed(0x5AA5)


JWT = JWT_FMT(100)

rules = []
R = rules.append

# ----------------------------------------------------------------------- project management
R(ctx_rule(
    "airtable-api-key", "airtable", "Airtable legacy API key (key + 14 characters)",
    name=r"airtable" + S + opt("api") + r"(?:key|token)",
    key="AIRTABLE_API_KEY", value=Fmt(r"key[A-Za-z0-9]{14}", lambda: "key" + b62(14)),
    keywords=["airtable"], entropy=3.3, rotate="https://airtable.com/create/tokens",
    aliases=["airtable-api-key"]))

R(ctx_rule(
    "asana-client-secret", "asana", "Asana OAuth app client secret (32 characters)",
    name=r"asana" + S + opt("app", "oauth") + r"client" + S + r"secret",
    key="ASANA_CLIENT_SECRET", value=ALNUM(32), keywords=["asana"], entropy=3.5,
    rotate="https://app.asana.com/0/my-apps", aliases=["asana-client-secret"]))

R(prefix_rule(
    "trello-token", "trello", "Trello user token (ATTA + 64 hex + checksum)",
    regex=r"\b(ATTA[a-f0-9]{64}[A-F0-9]{8})\b",
    keywords=["trello"] + ["atta" + h for h in "0123456789abdef"],  # not "attac": attach/attack
    sample=lambda: "ATTA" + hexs(64) + hexs(8, True), env_var="TRELLO_TOKEN",
    rotate="https://trello.com/my/account",
    negatives=["TRELLO_TOKEN=ATTA<your token>", "TRELLO_TOKEN=ATTA" + hexs(32),
               "ATTACHMENT_DIR=/var/lib/attachments"]))

R(ctx_rule(
    "trello-legacy-token", "trello", "Trello legacy user token (64 hex)",
    name=r"trello" + S + opt("api", "user", "oauth", "access") + r"token",
    key="TRELLO_TOKEN", value=HEX(64), keywords=["trello"],
    rotate="https://trello.com/my/account"))

R(ctx_rule(
    "trello-api-key", "trello", "Trello API key (32 hex; pairs with a token)",
    name=r"trello" + S + opt("api", "app", "power" + S + "up") + r"key",
    key="TRELLO_API_KEY", value=HEX(32), keywords=["trello"], severity="medium",
    rotate="https://trello.com/power-ups/admin"))

R(ctx_rule(
    "trello-api-secret", "trello", "Trello OAuth secret (64 hex)",
    name=r"trello" + S + opt("api", "app", "oauth") + r"secret",
    key="TRELLO_API_SECRET", value=HEX(64), keywords=["trello"],
    rotate="https://trello.com/power-ups/admin"))

R(prefix_rule(
    "clickup-personal-token", "clickup", "ClickUp personal API token (pk_<user id>_<32>)",
    regex=r"\b(pk_[0-9]{5,12}_[A-Z0-9]{32})\b", keywords=["pk_" + d for d in "0123456789"],
    sample=lambda: f"pk_{digits(8)}_{alnum_upper(32)}", env_var="CLICKUP_API_TOKEN",
    entropy=3.5, rotate="https://app.clickup.com/settings/apps",
    negatives=["CLICKUP_API_TOKEN=pk_<user>_<token>", f"CLICKUP_API_TOKEN=pk_{digits(8)}_{alnum_upper(12)}",
               f"stripe = 'pk_test_{b62(24)}'"]))

R(ctx_rule(
    "clickup-client-secret", "clickup", "ClickUp OAuth app client secret (64 uppercase alphanumerics)",
    name=r"click" + S + r"up" + S + opt("app", "oauth") + r"(?:client" + S + r")?secret",
    key="CLICKUP_CLIENT_SECRET", value=UPPERNUM(64), keywords=kforms("click", "up"), entropy=4.0,
    rotate="https://app.clickup.com/settings/apps"))

R(ctx_rule(
    "monday-api-token", "monday", "monday.com API token (JWT)",
    name=r"monday" + S + r"(?:com" + S + r")?(?:api" + S + r"|access" + S + r"|personal" + S + r")?(?:token|key)",
    key="MONDAY_API_TOKEN", value=JWT,
    keywords=kforms("monday", "api") + kforms("monday", "token") + kforms("monday", "com") + kforms("monday", "key"),
    entropy=4.0, rotate="https://support.monday.com/hc/en-us/articles/360005144659"))

R(prefix_rule(
    "miro-access-token", "miro", "Miro REST API access token (eyJtaXJv… origin prefix)",
    regex=r"\b(eyJtaXJvLm9yaWdpbiI6Im[A-Za-z0-9]{2,10}(?:fQ|In0|IifQ)_[A-Za-z0-9_\-]{20,60})(?:[^A-Za-z0-9_\-]|$)",
    keywords=["eyjtaxjvlm9yawdpbii6im"],
    sample=lambda: "eyJtaXJvLm9yaWdpbiI6ImV1MDEifQ_" + b64url(27), env_var="MIRO_ACCESS_TOKEN",
    entropy=4.0, rotate="https://miro.com/app/settings/user-profile/apps",
    negatives=["MIRO_ACCESS_TOKEN=eyJtaXJvLm9yaWdpbiI6ImV1MDEifQ_<token>",
               "MIRO_ACCESS_TOKEN=eyJtaXJvLm9yaWdpbiI6ImV1MDEifQ_" + b62(8),
               "MIRO_ACCESS_TOKEN=" + JWT.sample()]))

R(ctx_rule(
    "smartsheet-access-token", "smartsheet", "Smartsheet API access token (26 or 37 characters)",
    name=r"smart" + S + r"sheet" + S + opt("api", "access") + r"(?:access" + S + r")?token",
    key="SMARTSHEET_ACCESS_TOKEN",
    value=Fmt(r"(?:[A-Za-z0-9]{37}|[a-z0-9]{26})", lambda: b62(37)),
    keywords=kforms("smart", "sheet"), entropy=3.5,
    rotate="https://help.smartsheet.com/articles/2482389"))

R(ctx_rule(
    "todoist-api-token", "todoist", "Todoist API token (40 hex)",
    name=r"todoist" + S + opt("api", "personal") + r"(?:token|key)",
    key="TODOIST_API_TOKEN", value=HEX(40), keywords=["todoist"],
    rotate="https://app.todoist.com/app/settings/integrations/developer"))

R(ctx_rule(
    "coda-api-token", "coda", "Coda API token (UUID)",
    name=r"coda" + S + r"(?:api" + S + r"|doc" + S + r")?(?:token|key)",
    key="CODA_API_TOKEN", value=UUID(), keywords=kforms("coda", "api") + kforms("coda", "token") + kforms("coda", "key"),
    rotate="https://coda.io/account"))

R(ctx_rule(
    "wrike-access-token", "wrike", "Wrike permanent access token (JWT-like)",
    name=r"wrike" + S + opt("api", "permanent", "oauth") + r"(?:access" + S + r")?token",
    key="WRIKE_ACCESS_TOKEN", value=JWT, keywords=["wrike"], entropy=4.0,
    rotate="https://www.wrike.com/frontend/apps/index.html#/api"))

R(ctx_rule(
    "basecamp-client-secret", "basecamp", "Basecamp (37signals Launchpad) OAuth client secret (40 hex)",
    name=r"(?:basecamp|launchpad)" + S + opt("app", "oauth") + r"client" + S + r"secret",
    key="BASECAMP_CLIENT_SECRET", value=HEX(40), keywords=["basecamp", "launchpad"],
    rotate="https://launchpad.37signals.com/integrations"))

R(prefix_rule(
    "harvest-personal-access-token", "harvest", "Harvest personal access token (<id>.pt.<secret>)",
    regex=r"\b([0-9]{5,10}\.pt\.[A-Za-z0-9_\-]{86})(?:[^A-Za-z0-9_\-]|$)", keywords=[".pt."],
    sample=lambda: digits(7) + ".pt." + b64url(86), env_var="HARVEST_ACCESS_TOKEN", entropy=4.2,
    rotate="https://id.getharvest.com/developers",
    negatives=["HARVEST_ACCESS_TOKEN=1234567.pt.<token>", f"HARVEST_ACCESS_TOKEN={digits(7)}.pt.{b62(20)}",
               "lisbon.pt.example"]))

# ------------------------------------------------------------------------------ automation
R(rule(
    "zapier-webhook-url", "zapier", "Zapier catch hook URL (hooks.zapier.com/hooks/catch/…)",
    r"(https://hooks\.zapier\.com/hooks/catch/[0-9]{4,12}/[a-z0-9]{5,12}/?)(?:[^A-Za-z0-9_\-]|$)",
    ["hooks.zapier.com/hooks/catch/"],
    [f"ZAPIER_WEBHOOK_URL=https://hooks.zapier.com/hooks/catch/{digits(7)}/{alnum_lower(6)}/",
     f"requests.post('https://hooks.zapier.com/hooks/catch/{digits(8)}/{alnum_lower(7)}', json=payload)"],
    ["ZAPIER_WEBHOOK_URL=https://hooks.zapier.com/hooks/catch/<account>/<hook>/",
     "https://hooks.zapier.com/hooks/catch/123/",
     "see https://help.zapier.com/hc/en-us/articles/8496288690317"],
    severity="medium", entropy=2.5, env_var="ZAPIER_WEBHOOK_URL",
    rotate="https://zapier.com/app/zaps"))

R(rule(
    "make-webhook-url", "make", "Make (Integromat) custom webhook URL",
    r"(https://hook\.(?:(?:eu|us)[0-9]\.)?(?:make\.com|integromat\.com)/[a-z0-9]{32})(?:[^A-Za-z0-9_\-]|$)",
    ["hook.eu1.make.com", "hook.eu2.make.com", "hook.us1.make.com", "hook.us2.make.com",
     "hook.make.com", "hook.integromat.com"],
    [f"MAKE_WEBHOOK_URL=https://hook.eu1.make.com/{alnum_lower(32)}",
     f"fetch('https://hook.us1.make.com/{alnum_lower(32)}', {{ method: 'POST' }})",
     f"webhook: https://hook.integromat.com/{alnum_lower(32)}"],
    ["MAKE_WEBHOOK_URL=https://hook.eu1.make.com/<webhook-id>",
     f"https://hook.eu1.make.com/{alnum_lower(12)}",
     "docs: https://www.make.com/en/help/tools/webhooks"],
    severity="medium", entropy=3.5, env_var="MAKE_WEBHOOK_URL",
    rotate="https://www.make.com/en/help/tools/webhooks"))

R(rule(
    "ifttt-webhook-key", "ifttt", "IFTTT Webhooks (Maker) key in a trigger URL",
    r"https://maker\.ifttt\.com/trigger/[A-Za-z0-9_\-]{1,64}/(?:json/)?with/key/([A-Za-z0-9_\-]{22,43})(?:[^A-Za-z0-9_\-]|$)",
    ["maker.ifttt.com"],
    [f"IFTTT_URL=https://maker.ifttt.com/trigger/door_open/with/key/{b64url(22)}",
     f"requests.post(f'https://maker.ifttt.com/trigger/backup_done/json/with/key/{b64url(22)}')"],
    ["IFTTT_URL=https://maker.ifttt.com/trigger/{event}/with/key/{key}",
     "https://maker.ifttt.com/trigger/door_open/with/key/your_key_here",
     f"https://maker.ifttt.com/trigger/door_open/with/key/{b62(8)}"],
    entropy=3.5, env_var="IFTTT_WEBHOOK_KEY", rotate="https://ifttt.com/maker_webhooks/settings"))

R(rule(
    "bitrix24-webhook-url", "bitrix24", "Bitrix24 inbound REST webhook URL (/rest/<user>/<secret>/)",
    r"(https://[A-Za-z0-9.\-]{1,80}\.bitrix24\.[a-z.]{2,6}/rest/[0-9]{1,8}/[a-z0-9]{16}/?)(?:[^A-Za-z0-9_\-]|$)",
    ["bitrix24."],
    [f"BITRIX24_WEBHOOK=https://acme.bitrix24.com/rest/1/{alnum_lower(16)}/",
     f"url = 'https://crm-team.bitrix24.de/rest/17/{alnum_lower(16)}/crm.lead.add.json'"],
    ["BITRIX24_WEBHOOK=https://acme.bitrix24.com/rest/1/<secret>/",
     f"https://acme.bitrix24.com/rest/1/{alnum_lower(8)}/",
     "https://acme.bitrix24.com/rest/api/"],
    entropy=3.2, env_var="BITRIX24_WEBHOOK_URL", rotate="https://helpdesk.bitrix24.com/open/12357038/"))

# ------------------------------------------------------------------ forms, scheduling, e-sign
R(prefix_rule(
    "typeform-personal-access-token", "typeform", "Typeform personal access token (tfp_)",
    regex=r"\b(tfp_[A-Za-z0-9_\-.=]{55,64})(?:[^A-Za-z0-9_\-.=]|$)", keywords=["tfp_"],
    sample=lambda: "tfp_" + b62(44) + "_" + b62(14), env_var="TYPEFORM_TOKEN", entropy=4.0,
    rotate="https://admin.typeform.com/user/tokens", aliases=["typeform-api-token"],
    negatives=["TYPEFORM_TOKEN=tfp_<your token>", "TYPEFORM_TOKEN=tfp_" + b62(20),
               "prefix = 'tfp_'"]))

R(ctx_rule(
    "jotform-api-key", "jotform", "Jotform API key (32 hex)",
    name=r"jotform" + S + opt("api") + r"key",
    key="JOTFORM_API_KEY", value=HEX(32), keywords=["jotform"],
    rotate="https://www.jotform.com/myaccount/api"))

R(ctx_rule(
    "calendly-personal-access-token", "calendly", "Calendly personal access token / OAuth token (JWT)",
    name=r"calendly" + S + opt("api", "personal", "access", "oauth") + r"(?:access" + S + r")?(?:token|key)",
    key="CALENDLY_API_TOKEN", value=JWT, keywords=["calendly"], entropy=4.0,
    rotate="https://calendly.com/integrations/api_webhooks"))

R(ctx_rule(
    "calendly-webhook-signing-key", "calendly", "Calendly webhook signing key",
    name=r"calendly" + S + r"(?:webhook" + S + r")?signing" + S + r"key",
    key="CALENDLY_WEBHOOK_SIGNING_KEY", value=URLSAFE(43), keywords=["calendly"], entropy=4.0,
    rotate="https://developer.calendly.com/api-docs/4c305798a61d3-webhook-signatures"))

R(ctx_rule(
    "docusign-secret-key", "docusign", "DocuSign integration secret key (UUID)",
    name=r"docu" + S + r"sign" + S + opt("integration", "client", "app", "oauth") + r"(?:secret" + S + r"key|client" + S + r"secret|secret)",
    key="DOCUSIGN_SECRET_KEY", value=UUID(), keywords=kforms("docu", "sign"),
    rotate="https://admindemo.docusign.com/apps-and-keys"))

R(ctx_rule(
    "pandadoc-api-key", "pandadoc", "PandaDoc API key (40 hex)",
    name=r"panda" + S + r"doc" + S + opt("api") + r"key",
    key="PANDADOC_API_KEY", value=HEX(40), keywords=kforms("panda", "doc"),
    rotate="https://app.pandadoc.com/a/#/settings/api-dashboard"))

R(ctx_rule(
    "eventbrite-private-token", "eventbrite", "Eventbrite private OAuth token (20 uppercase alphanumerics)",
    name=r"eventbrite" + S + opt("api", "private", "oauth", "personal") + r"(?:oauth" + S + r")?(?:token|key)",
    key="EVENTBRITE_PRIVATE_TOKEN", value=UPPERNUM(20), keywords=["eventbrite"], entropy=3.5,
    rotate="https://www.eventbrite.com/account-settings/apps"))

R(ctx_rule(
    "surveymonkey-access-token", "surveymonkey", "SurveyMonkey API access token",
    name=r"survey" + S + r"monkey" + S + opt("api") + r"(?:access" + S + r")?token",
    key="SURVEYMONKEY_ACCESS_TOKEN", value=Fmt(r"[A-Za-z0-9\-.]{60,200}", lambda: b62(100)),
    keywords=kforms("survey", "monkey"), entropy=4.2,
    rotate="https://developer.surveymonkey.com/apps/"))

# --------------------------------------------------------------------------- CRM platforms
SF_KW = ["salesforce", "force.com", "sfdc", "instance_url"]
R(rule(
    "salesforce-access-token", "salesforce", "Salesforce session id / OAuth access token (00D…!…)",
    r"\b(00D[A-Za-z0-9]{12,15}![A-Za-z0-9._]{80,140})(?:[^A-Za-z0-9._]|$)", SF_KW,
    [f"SALESFORCE_ACCESS_TOKEN=00D{b62(12)}!{b62(30)}.{b62(60)}",
     f"{{\"access_token\": \"00D{b62(15)}!{b62(96)}\", \"instance_url\": \"https://acme.my.salesforce.com\"}}",
     f"sf = Salesforce(instance='acme.my.salesforce.com', session_id='00D{b62(12)}!{b62(100)}')"],
    ["SALESFORCE_ACCESS_TOKEN=00D<org>!<session>",
     f"salesforce org id 00D{b62(12)}",
     f"salesforce: 00D{b62(12)}!{b62(30)}"],
    entropy=4.0, env_var="SALESFORCE_ACCESS_TOKEN", severity="critical",
    rotate="https://help.salesforce.com/s/articleView?id=sf.remoteaccess_revoke_token.htm"))

R(prefix_rule(
    "salesforce-refresh-token", "salesforce", "Salesforce OAuth refresh token (5Aep8…)",
    regex=r"\b(5Aep8[A-Za-z0-9._]{60,120})(?:[^A-Za-z0-9._]|$)", keywords=["5aep8"],
    sample=lambda: "5Aep861" + b62(80), env_var="SALESFORCE_REFRESH_TOKEN", entropy=4.0,
    severity="critical",
    rotate="https://help.salesforce.com/s/articleView?id=sf.remoteaccess_revoke_token.htm",
    negatives=["SALESFORCE_REFRESH_TOKEN=5Aep8<token>", "SALESFORCE_REFRESH_TOKEN=5Aep861" + b62(20),
               "refresh tokens usually start with 5Aep8"]))

R(ctx_rule(
    "salesforce-consumer-secret", "salesforce", "Salesforce connected app consumer secret (64 hex)",
    name=r"(?:salesforce|sfdc|\bsf)" + S + opt("connected" + S + "app", "oauth", "app") + r"(?:consumer|client)" + S + r"secret",
    key="SALESFORCE_CONSUMER_SECRET", value=HEXI(64), keywords=SF_KW[:3] + kforms("sf", "consumer") + kforms("sf", "client"),
    rotate="https://help.salesforce.com/s/articleView?id=sf.connected_app_rotate_consumer_details.htm"))

R(ctx_rule(
    "salesforce-security-token", "salesforce", "Salesforce user security token (24–25 characters)",
    name=r"(?:salesforce|sfdc|\bsf)" + S + r"(?:user" + S + r")?security" + S + r"token",
    key="SALESFORCE_SECURITY_TOKEN", value=ALNUM(25, lo=24), keywords=SF_KW[:3] + kforms("sf", "security"),
    entropy=3.5, rotate="https://help.salesforce.com/s/articleView?id=sf.user_security_token.htm"))

R(prefix_rule(
    "zoho-oauth-token", "zoho", "Zoho OAuth access / refresh token (1000.<hex>.<hex>)",
    regex=r"\b(1000\.[a-f0-9]{32}\.[a-f0-9]{32})\b", keywords=["1000."],
    sample=lambda: f"1000.{hexs(32)}.{hexs(32)}", env_var="ZOHO_REFRESH_TOKEN",
    rotate="https://api-console.zoho.com/",
    negatives=["ZOHO_REFRESH_TOKEN=1000.<token>", f"ZOHO_REFRESH_TOKEN=1000.{hexs(32)}",
               "timeout = 1000.0"]))

R(ctx_rule(
    "zoho-client-secret", "zoho", "Zoho API console client secret (42 lowercase alphanumerics)",
    name=r"zoho" + S + opt("crm", "books", "desk", "api", "oauth") + r"client" + S + r"secret",
    key="ZOHO_CLIENT_SECRET", value=LOWERNUM(42), keywords=["zoho"], entropy=3.8,
    rotate="https://api-console.zoho.com/"))

R(ctx_rule(
    "pipedrive-api-token", "pipedrive", "Pipedrive API token (40 hex)",
    name=r"pipedrive" + S + opt("api", "personal") + r"(?:token|key)",
    key="PIPEDRIVE_API_TOKEN", value=HEX(40), keywords=["pipedrive"],
    rotate="https://app.pipedrive.com/settings/api"))

R(ctx_rule(
    "freshdesk-api-key", "freshdesk", "Freshdesk API key (20 characters)",
    name=r"freshdesk" + S + opt("api") + r"(?:key|token)",
    key="FRESHDESK_API_KEY", value=ALNUM(20), keywords=["freshdesk"], entropy=3.3,
    rotate="https://support.freshdesk.com/support/solutions/articles/215517"))

R(ctx_rule(
    "close-api-key", "close", "Close CRM API key (api_ + 22 . 22)",
    name=r"close" + S + r"(?:io" + S + r"|crm" + S + r")?api" + S + r"key",
    key="CLOSE_API_KEY", value=Fmt(r"api_[A-Za-z0-9]{20,24}\.[A-Za-z0-9]{20,24}",
                                   lambda: f"api_{b62(22)}.{b62(22)}"),
    keywords=kforms("close", "api") + kforms("close", "io") + kforms("close", "crm"), entropy=4.0,
    rotate="https://app.close.com/settings/developer/api-keys/"))

R(ctx_rule(
    "freshbooks-access-token", "freshbooks", "FreshBooks OAuth access token / client secret (64 hex)",
    name=r"fresh" + S + r"books" + S + opt("api", "oauth") + r"(?:access" + S + r"token|client" + S + r"secret|token|secret)",
    key="FRESHBOOKS_ACCESS_TOKEN", value=HEX(64), keywords=kforms("fresh", "books"),
    rotate="https://my.freshbooks.com/#/developer", aliases=["freshbooks-access-token"]))

R(prefix_rule(
    "calcom-api-key", "calcom", "Cal.com API key (cal_live_ / cal_test_ + 32 hex)",
    regex=r"\b(cal_(?:live_|test_)?[a-f0-9]{32})\b",
    keywords=["cal_live_", "cal_test_", "calcom_api", "calcom_key", "cal_com", "cal.com"],
    sample=lambda: "cal_live_" + hexs(32), env_var="CALCOM_API_KEY",
    rotate="https://app.cal.com/settings/developer/api-keys",
    negatives=["CALCOM_API_KEY=cal_live_<your key>", "CALCOM_API_KEY=cal_live_" + hexs(16),
               "local_" + hexs(32) + "  # cal.com cache key"]))

R(ctx_rule(
    "hellosign-api-key", "hellosign", "Dropbox Sign (HelloSign) API key (64 hex)",
    name=r"(?:hello" + S + r"sign|dropbox" + S + r"sign)" + S + opt("api") + r"key",
    key="HELLOSIGN_API_KEY", value=HEX(64), keywords=kforms("hello", "sign") + kforms("dropbox", "sign"),
    rotate="https://app.hellosign.com/home/myAccount#api"))

R(ctx_rule(
    "quickbooks-client-secret", "intuit", "Intuit QuickBooks Online app client secret (40 characters)",
    name=r"(?:quick" + S + r"books|intuit|\bqbo)" + S + opt("app", "oauth", "online") + r"client" + S + r"secret",
    key="QUICKBOOKS_CLIENT_SECRET", value=ALNUM(40),
    keywords=kforms("quick", "books") + ["intuit", "qbo_client", "qboclient", "qbo-client"], entropy=3.8,
    rotate="https://developer.intuit.com/app/developer/dashboard"))

R(ctx_rule(
    "xero-client-secret", "xero", "Xero app OAuth 2.0 client secret (48 characters)",
    name=r"xero" + S + opt("app", "oauth", "oauth2", "api") + r"client" + S + r"secret",
    key="XERO_CLIENT_SECRET", value=URLSAFE(48), keywords=["xero"], entropy=4.0,
    rotate="https://developer.xero.com/app/manage"))

R(ctx_rule(
    "bamboohr-api-key", "bamboohr", "BambooHR API key (40 hex)",
    name=r"bamboo" + S + r"hr" + S + opt("api") + r"(?:key|token)",
    key="BAMBOOHR_API_KEY", value=HEX(40), keywords=kforms("bamboo", "hr"),
    rotate="https://documentation.bamboohr.com/docs/getting-started"))

R(ctx_rule(
    "pivotaltracker-api-token", "pivotaltracker", "Pivotal Tracker API token (32 hex)",
    name=r"(?:pivotal" + S + r"tracker|pivotal|\btracker)" + S + opt("api") + r"token",
    key="PIVOTAL_TRACKER_API_TOKEN", value=HEX(32),
    keywords=kforms("pivotal", "tracker") + kforms("pivotal", "token") + kforms("pivotal", "api") + kforms("tracker", "api", "token"),
    rotate="https://www.pivotaltracker.com/profile"))

R(ctx_rule(
    "toggl-api-token", "toggl", "Toggl Track API token (32 hex)",
    name=r"toggl" + S + opt("track", "api") + r"(?:api" + S + r")?token",
    key="TOGGL_API_TOKEN", value=HEX(32),
    keywords=kforms("toggl", "api") + kforms("toggl", "token") + kforms("toggl", "track"),  # not toggle
    rotate="https://track.toggl.com/profile"))

R(ctx_rule(
    "shortcut-api-token", "shortcut", "Shortcut (Clubhouse) API token (UUID)",
    name=r"(?:shortcut|clubhouse)" + S + r"(?:api" + S + r")?token",
    key="SHORTCUT_API_TOKEN", value=UUID(),
    keywords=kforms("shortcut", "api") + kforms("shortcut", "token") + kforms("clubhouse", "api") + kforms("clubhouse", "token"),
    rotate="https://app.shortcut.com/settings/account/api-tokens"))


R(ctx_rule(
    "clockify-api-key", "clockify", "Clockify API key (48 characters)",
    name=r"clockify" + S + opt("api", "x" + S + "api") + r"key",
    key="CLOCKIFY_API_KEY", value=ALNUM(48), keywords=["clockify"], entropy=4.0,
    rotate="https://app.clockify.me/user/preferences#advanced"))

R(ctx_rule(
    "everhour-api-key", "everhour", "Everhour API key (hex groups 4-4-6-6-8)",
    name=r"everhour" + S + opt("api") + r"(?:key|token)",
    key="EVERHOUR_API_KEY",
    value=Fmt(r"[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{6}-[0-9a-f]{6}-[0-9a-f]{8}",
              lambda: f"{hexs(4)}-{hexs(4)}-{hexs(6)}-{hexs(6)}-{hexs(8)}"),
    keywords=["everhour"], rotate="https://app.everhour.com/#/account/profile"))

R(ctx_rule(
    "lokalise-api-token", "lokalise", "Lokalise API token (40 hex)",
    name=r"lokalise" + S + opt("api", "personal") + r"(?:token|key)",
    key="LOKALISE_API_TOKEN", value=HEX(40), keywords=["lokalise"],
    rotate="https://app.lokalise.com/profile#apitokens"))

R(ctx_rule(
    "crowdin-personal-access-token", "crowdin", "Crowdin personal access token (80 hex)",
    name=r"crowdin" + S + opt("api", "personal") + r"(?:access" + S + r")?(?:token|key)",
    key="CROWDIN_PERSONAL_TOKEN", value=HEX(80), keywords=["crowdin"],
    rotate="https://crowdin.com/settings#api-key"))

R(ctx_rule(
    "dailyco-api-key", "dailyco", "Daily (daily.co) video API key (64 hex)",
    name=r"daily" + S + r"(?:co" + S + r")?api" + S + r"key",
    key="DAILY_API_KEY", value=HEX(64), keywords=kforms("daily", "api") + kforms("daily", "co"),
    rotate="https://dashboard.daily.co/developers"))

R(ctx_rule(
    "zeplin-access-token", "zeplin", "Zeplin personal access token (JWT)",
    name=r"zeplin" + S + opt("api", "personal") + r"(?:access" + S + r")?token",
    key="ZEPLIN_ACCESS_TOKEN", value=JWT, keywords=["zeplin"], entropy=4.0,
    rotate="https://app.zeplin.io/profile/developer"))

R(rule(
    "tines-webhook-url", "tines", "Tines webhook action URL (/webhook/<path>/<secret>)",
    r"(https://[a-z0-9\-]{1,63}\.tines\.(?:com|io)/webhook/[a-f0-9]{32}/[a-f0-9]{32})\b",
    [".tines.com/webhook/", ".tines.io/webhook/"],
    [f"TINES_WEBHOOK=https://acme-sec.tines.com/webhook/{hexs(32)}/{hexs(32)}",
     f"curl -X POST https://tenant-7.tines.io/webhook/{hexs(32)}/{hexs(32)} -d @alert.json"],
    ["TINES_WEBHOOK=https://acme-sec.tines.com/webhook/<path>/<secret>",
     f"https://acme-sec.tines.com/webhook/{hexs(32)}/",
     f"https://acme-sec.tines.com/webhook/{hexs(16)}/{hexs(16)}"],
    severity="medium", entropy=3.0, env_var="TINES_WEBHOOK_URL",
    rotate="https://www.tines.com/docs/actions/types/webhook"))


# ------------------------------------------------------------------ shipping and commerce
R(ctx_rule(
    "lob-api-key", "lob", "Lob API secret or publishable key (live_/test_ + hex)",
    name=r"(?:\b|_)lob" + S + opt("api", "live", "test") + r"(?:secret" + S + r"|pub" + S + r"|publishable" + S + r")?(?:key|secret)",
    key="LOB_API_KEY",
    value=Fmt(r"(?:live|test)_(?:pub_[a-f0-9]{31}|[a-f0-9]{35})", lambda: "live_" + hexs(35)),
    keywords=kforms("lob", "api") + kforms("lob", "key") + kforms("lob", "secret") + kforms("lob", "live") + kforms("lob", "test") + kforms("lob", "publishable") + kforms("lob", "pub"),
    extra_examples=[f"LOB_PUBLISHABLE_KEY=test_pub_{hexs(31)}"],
    negatives=[f"BLOB_API_KEY=live_{hexs(35)}"],
    rotate="https://dashboard.lob.com/settings/api-keys", aliases=["lob-api-key", "lob-pub-api-key"]))

# Shippo and EasyPost live in rules/payments.toml (shipping APIs are with the payment providers).
R(ctx_rule(
    "etsy-api-key", "etsy", "Etsy Open API v3 keystring / shared secret",
    name=r"etsy" + S + opt("api", "app", "open" + S + "api") + r"(?:key" + S + r"string|keystring|shared" + S + r"secret|secret|key)",
    key="ETSY_API_KEY", value=LOWERNUM(24), entropy=3.5,
    keywords=kforms("etsy", "api") + kforms("etsy", "key") + kforms("etsy", "app") + kforms("etsy", "open")
    + kforms("etsy", "shared") + kforms("etsy", "secret") + kforms("etsy", "keystring"),
    rotate="https://www.etsy.com/developers/your-apps", aliases=["etsy-access-token"]))

R(ctx_rule(
    "squarespace-api-key", "squarespace", "Squarespace Commerce API key (UUID)",
    name=r"square" + S + r"space" + S + opt("api", "commerce") + r"(?:key|token)",
    key="SQUARESPACE_API_KEY", value=UUID(), keywords=kforms("square", "space"),
    rotate="https://support.squarespace.com/hc/en-us/articles/236297987",
    aliases=["squarespace-access-token"]))

R(ctx_rule(
    "webflow-api-token", "webflow", "Webflow site / workspace API token (64 hex)",
    name=r"webflow" + S + opt("api", "site", "cms", "workspace") + r"(?:api" + S + r")?(?:token|key)",
    key="WEBFLOW_API_TOKEN", value=HEX(64), keywords=["webflow"],
    rotate="https://developers.webflow.com/data/reference/authentication"))

# ---------------------------------------------------------------------- storage and meetings
R(ctx_rule(
    "dropbox-app-secret", "dropbox", "Dropbox app secret (15 lowercase alphanumerics)",
    name=r"dropbox" + S + opt("app", "api", "oauth") + r"(?:app" + S + r"|client" + S + r")?secret",
    key="DROPBOX_APP_SECRET", value=LOWERNUM(15), keywords=["dropbox"], entropy=2.8,
    rotate="https://www.dropbox.com/developers/apps", aliases=["dropbox-api-token"]))

R(ctx_rule(
    "dropbox-long-lived-token", "dropbox", "Dropbox legacy long-lived access token (…AAAAAAAAAA…)",
    name=r"dropbox" + S + opt("api", "app", "access", "oauth") + r"(?:access" + S + r")?token",
    key="DROPBOX_ACCESS_TOKEN",
    value=Fmt(r"[A-Za-z0-9]{11}AAAAAAAAAA[A-Za-z0-9_\-]{43}", lambda: b62(11) + "AAAAAAAAAA" + b64url(43)),
    keywords=["dropbox"], entropy=3.8,
    rotate="https://www.dropbox.com/developers/apps", aliases=["dropbox-long-lived-api-token"]))

R(ctx_rule(
    "box-client-secret", "box", "Box app OAuth client secret (32 characters)",
    name=r"(?:\b|_)box" + S + opt("app", "api", "oauth", "platform") + r"client" + S + r"secret",
    key="BOX_CLIENT_SECRET", value=ALNUM(32),
    keywords=kforms("box", "client") + kforms("box", "app") + kforms("box", "api") + kforms("box", "oauth"),
    entropy=3.5, negatives=[f"SANDBOX_CLIENT_SECRET={b62(32)}"],
    rotate="https://app.box.com/developers/console"))

R(ctx_rule(
    "box-developer-token", "box", "Box developer / access token (32 characters)",
    name=r"(?:\b|_)box" + S + opt("api", "app") + r"(?:developer|access|dev)" + S + r"token",
    key="BOX_DEVELOPER_TOKEN", value=ALNUM(32),
    keywords=kforms("box", "developer") + kforms("box", "access") + kforms("box", "dev") + kforms("box", "api"),
    entropy=3.5, negatives=[f"SANDBOX_ACCESS_TOKEN={b62(32)}"],
    rotate="https://app.box.com/developers/console"))

R(ctx_rule(
    "zoom-client-secret", "zoom", "Zoom app client secret / API secret (32 characters)",
    name=r"zoom" + S + opt("app", "api", "oauth", "s2s", "sdk", "jwt", "meeting") + r"(?:client" + S + r"|api" + S + r"|sdk" + S + r"|jwt" + S + r")?secret",
    key="ZOOM_CLIENT_SECRET", value=ALNUM(32),
    keywords=kforms("zoom", "client") + kforms("zoom", "api") + kforms("zoom", "secret")
    + kforms("zoom", "sdk") + kforms("zoom", "jwt") + kforms("zoom", "oauth") + kforms("zoom", "s2s"),
    entropy=3.5, rotate="https://marketplace.zoom.us/user/build"))

R(ctx_rule(
    "zoom-webhook-secret-token", "zoom", "Zoom event webhook secret / verification token (22 characters)",
    name=r"zoom" + S + opt("webhook", "event", "app") + r"(?:secret|verification)" + S + r"token",
    key="ZOOM_WEBHOOK_SECRET_TOKEN", value=URLSAFE(22),
    keywords=kforms("zoom", "webhook") + kforms("zoom", "secret") + kforms("zoom", "verification") + kforms("zoom", "event"),
    entropy=3.5, rotate="https://marketplace.zoom.us/user/build"))

R(ctx_rule(
    "webex-access-token", "webex", "Webex bot / personal access token",
    name=r"webex" + S + opt("bot", "api", "personal", "teams", "integration") + r"(?:access" + S + r")?token",
    key="WEBEX_BOT_TOKEN",
    value=Fmt(r"[A-Za-z0-9]{64}_[A-Z0-9]{4}_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
              lambda: f"{b62(64)}_{alnum_upper(4)}_{uuid4()}"),
    keywords=["webex"], entropy=4.0, rotate="https://developer.webex.com/my-apps"))

R(ctx_rule(
    "gong-access-key-secret", "gong", "Gong API access key secret (JWT-like, 100+ characters)",
    name=r"gong" + S + opt("api") + r"(?:access" + S + r")?(?:key" + S + r")?secret",
    key="GONG_ACCESS_KEY_SECRET", value=JWT,
    keywords=kforms("gong", "api") + kforms("gong", "access") + kforms("gong", "secret"), entropy=4.0,
    rotate="https://app.gong.io/company/api"))

emit(rules, header="""# leakless built-in rules: business SaaS long tail (productivity and project management,
# automation webhooks, forms, scheduling, e-signature, CRM platforms, shipping and commerce,
# storage, meetings). Format: gitleaks v8 rules plus leakless fields (provider, severity,
# confidence, aliases, env_var, rotate, examples, negative_examples).
# Spec: scripts/rulegen/saas.py (generated from the providers' documented token formats).""")
