"""Spec of rules/cloud.toml: cloud providers, hosting platforms, CDNs and Kubernetes.

Regenerate every pack with `python3 scripts/rulegen/regen.py`: it runs this spec and moves each
rule to the pack of its provider's category (`PACK_OF` in regen.py), so some rules written here
live in another pack.

Run: python3 scripts/rulegen/regen.py

The pack keeps its hand-written rules (read back from `scripts/rulegen/cloud_hand.toml`, the
pack as it was before the generator) and adds the generated ones below; `emit` sorts them all by
id. Every pattern is written from the provider's documented token format (prefix, length,
alphabet, embedded signature); example values are random fakes drawn from that format.
"""

import base64
import os
import sys
import tomllib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rulegen import *  # noqa: E402,F403
from rulegen import _R, render  # noqa: E402

reseed(int(os.environ.get("RULEGEN_SEED", "0")) or 0xC10D)

HERE = os.path.dirname(os.path.abspath(__file__))

# ------------------------------------------------------------------------------ helpers
B64_END = r"(?:[^A-Za-z0-9+/=_\-]|$)"
B64_START = r"(?:^|[^A-Za-z0-9+/_\-])"
URL_END = r"(?:[^A-Za-z0-9_\-]|$)"


def b64enc(s):
    return base64.b64encode(s.encode()).decode()


def b64url_nopad(s):
    return base64.urlsafe_b64encode(s.encode()).decode().rstrip("=")


def pneg(env, prefix, body_sample, short=8, extra=()):
    """Negative examples for a prefixed token: a placeholder, a truncated token, the prefix in
    prose, plus `extra`."""
    return [
        f"{env}=${{{env}}}",
        f"{env}={prefix}<your-token-here>",
        f"{env}={prefix}{body_sample[:short]}",
        f"Tokens start with {prefix} followed by random characters.",
    ] + list(extra)


def fixed(regex, sample):
    return Fmt(regex, sample)


# The "identifiable" Azure keys carry a fixed service signature at a fixed offset
# (Microsoft security-utilities, "identifiable secrets"); value = random + signature + random + tail.
def az_ident(id, description, sig, *, lead, tail_re, tail_len, tail_alpha, alphabet="b64",
             last=None, pad="", env, rotate, keywords, severity="critical", aliases=None):
    alpha = {"b64": B64, "b62": B62, "url": B64URL}[alphabet]
    cls = {"b64": "A-Za-z0-9+/", "b62": "A-Za-z0-9", "url": "A-Za-z0-9_\\-"}[alphabet]
    sig_re = re.escape(sig)
    last_re = f"[{last}]" if last else ""
    regex = (f"(?:^|[^A-Za-z0-9+/_\\-])([{cls}]{{{lead}}}{sig_re}{tail_re}"
             f"[{cls}]{{{tail_len}}}{last_re}{re.escape(pad)})(?:[^A-Za-z0-9+/_=\\-]|$)")

    def sample():
        s = rand(alpha, lead) + sig + rand(tail_alpha, 1 if tail_re else 0) + rand(alpha, tail_len)
        if last:
            s += _R.choice(last)
        return s + pad

    v = sample()
    return prefix_rule(id, "azure", description, regex=regex, keywords=keywords, sample=sample,
                       env_var=env, rotate=rotate, entropy=4.0, severity=severity,
                       aliases=aliases, negatives=[
                           f"{env}=${{{env}}}",
                           f"{env}={v[:lead]}{sig}",
                           f"{env}={v.replace(sig, sig.lower() if sig.lower() != sig else sig.upper())}",
                           f"The {sig} signature marks an identifiable Azure key.",
                       ])


AZ_PORTAL = "https://portal.azure.com/"
rules = []
add = rules.append

# =============================================================================== AWS
AWS_IAM = "https://console.aws.amazon.com/iam/home#/security_credentials"


def bedrock_long():
    user = f"BedrockAPIKey-{alnum_lower(4)}-at-{digits(12)}"
    return "ABSK" + b64enc(f"{user}:{b64(60)}").rstrip("=")


add(prefix_rule(
    "aws-bedrock-api-key-long-term", "aws",
    "Amazon Bedrock long-term API key (ABSK + base64 of `BedrockAPIKey-<id>-at-<account>:<secret>`)",
    # "QmVkcm9ja0FQSUtleS" is "BedrockAPIKey-" in base64: fixed for every key, so the secret's
    # length (not documented) need not be guessed.
    regex=B64_START + r"(ABSKQmVkcm9ja0FQSUtleS[A-Za-z0-9+/]{50,300}={0,2})" + B64_END,
    keywords=["abskqmvkcm9ja0fqsutles"], sample=bedrock_long,
    contexts=("dotenv", "yaml", "js", "header"), env_var="AWS_BEARER_TOKEN_BEDROCK", entropy=4.0,
    severity="critical", rotate="https://console.aws.amazon.com/bedrock/home#/api-keys",
    negatives=pneg("AWS_BEARER_TOKEN_BEDROCK", "ABSK", bedrock_long()[4:], short=40,
                   extra=["const ABSKIP_LIMIT = 3;", "AWS_BEARER_TOKEN_BEDROCK=ABSK" + b64(120)])))


def bedrock_short():
    q = ("bedrock.amazonaws.com/?Action=CallWithBearerToken&X-Amz-Algorithm=AWS4-HMAC-SHA256"
         f"&X-Amz-Credential=ASIA{alnum_upper(16)}%2F20250801%2Fus-east-1%2Fbedrock%2Faws4_request"
         f"&X-Amz-Date=20250801T120000Z&X-Amz-Expires=43200&X-Amz-Security-Token={b64(180)}"
         f"&X-Amz-Signature={hexs(64)}&X-Amz-SignedHeaders=host&Version=1")
    return "bedrock-api-key-" + b64enc(q)


add(prefix_rule(
    "aws-bedrock-api-key-short-term", "aws",
    "Amazon Bedrock short-term API key (bedrock-api-key- + base64 of a SigV4 presigned URL)",
    regex=r"\b(bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t[A-Za-z0-9+/]{100,4000}={0,2})" + B64_END,
    keywords=["bedrock-api-key-"], sample=bedrock_short, env_var="AWS_BEARER_TOKEN_BEDROCK",
    entropy=4.0, rotate="https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_disable-perms.html",
    negatives=["AWS_BEARER_TOKEN_BEDROCK=bedrock-api-key-<token>",
               "AWS_BEARER_TOKEN_BEDROCK=bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t",
               "Short-term keys start with bedrock-api-key- and expire after 12 hours.",
               "AWS_BEARER_TOKEN_BEDROCK=bedrock-api-key-" + b64enc("example.org/?x=" + b64(200))]))


def mws():
    return "amzn.mws." + uuid4()


add(prefix_rule(
    "aws-mws-auth-token", "aws", "Amazon Marketplace Web Service (MWS) auth token (amzn.mws. + UUID)",
    regex=r"\b(amzn\.mws\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b",
    keywords=["amzn.mws."], sample=mws, env_var="MWS_AUTH_TOKEN",
    rotate="https://sellercentral.amazon.com/apps/manage",
    negatives=pneg("MWS_AUTH_TOKEN", "amzn.mws.", uuid4(), short=13,
                   extra=["MWS_AUTH_TOKEN=amzn.mws.xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"])))


def appsync():
    return "da2-" + alnum_lower(26)


add(prefix_rule(
    "aws-appsync-api-key", "aws", "AWS AppSync GraphQL API key (da2- + 26 lower-case alphanumerics)",
    regex=r"\b(da2-[a-z0-9]{26})\b", keywords=["da2-"], sample=appsync,
    env_var="APPSYNC_API_KEY", severity="medium", entropy=3.5,
    rotate="https://console.aws.amazon.com/appsync/home",
    negatives=pneg("APPSYNC_API_KEY", "da2-", alnum_lower(26), short=10,
                   extra=["mount /dev/sda2-backup-volume-0001-abcdefgh /mnt",
                          "APPSYNC_API_KEY=da2-ABCDEFGHIJKLMNOPQRSTUVWXYZ"])))


def ecr_token():
    j = (f'{{"payload":"{b64(900)}","datakey":"{b64(280)}","version":"2",'
         f'"type":"DATA_KEY","expiration":{digits(10)}}}')
    return b64enc(j)


add(prefix_rule(
    "aws-ecr-authorization-token", "aws",
    "Amazon ECR registry password (`aws ecr get-login-password` output: base64 of a DATA_KEY JSON)",
    regex=r"\b(eyJwYXlsb2FkIjoi[A-Za-z0-9+/]{500,6000}={0,2})" + B64_END,
    keywords=["eyjwyxlsb2fkijoi"], sample=ecr_token, env_var="DOCKER_PASSWORD", entropy=4.5,
    rotate="https://docs.aws.amazon.com/AmazonECR/latest/userguide/registry_auth.html",
    negatives=["DOCKER_PASSWORD=$(aws ecr get-login-password --region eu-west-1)",
               "DOCKER_PASSWORD=eyJwYXlsb2FkIjoi" + b64(60),
               "A token is base64 of {\"payload\": ...} and begins eyJwYXlsb2FkIjoi in logs.",
               "DOCKER_PASSWORD=<ecr-login-password>"]))

add(ctx_rule(
    "aws-ses-smtp-password", "aws",
    "Amazon SES SMTP password (44 base64 characters, version byte 0x04) beside an SES SMTP key",
    name=r"(?:aws[_.\-]?)?ses[_.\-]?smtp[_.\-]?pass(?:word)?", key="AWS_SES_SMTP_PASSWORD",
    value=fixed(r"B[A-Za-z0-9+/]{43}", lambda: "B" + b64(43)), entropy=4.0,
    keywords=["ses_smtp", "ses-smtp", "sessmtp", "ses.smtp"],
    rotate="https://console.aws.amazon.com/ses/home#/smtp"))

# =============================================================================== Azure
AZ_STORAGE_ROT = "https://portal.azure.com/#browse/Microsoft.Storage%2FStorageAccounts"
add(az_ident("azure-storage-account-key-identifiable",
             "Azure Storage account access key, identifiable format (+ASt signature)", "+ASt",
             lead=76, tail_re="", tail_len=5, tail_alpha=B64, last="AQgw", pad="==",
             env="AZURE_STORAGE_KEY", rotate=AZ_STORAGE_ROT, keywords=["+ast"]))
add(az_ident("azure-cosmosdb-key-identifiable",
             "Azure Cosmos DB account key, identifiable format (ACDb signature)", "ACDb",
             lead=76, tail_re="", tail_len=5, tail_alpha=B64, last="AQgw", pad="==",
             env="COSMOS_KEY", rotate="https://learn.microsoft.com/azure/cosmos-db/database-security#key-rotation",
             keywords=["acdb"]))
add(az_ident("azure-batch-key-identifiable",
             "Azure Batch account access key, identifiable format (+ABa signature)", "+ABa",
             lead=76, tail_re="", tail_len=5, tail_alpha=B64, last="AQgw", pad="==",
             env="AZURE_BATCH_ACCOUNT_KEY", rotate=AZ_PORTAL + "#browse/Microsoft.Batch%2FbatchAccounts",
             keywords=["+aba"]))
add(az_ident("azure-ml-web-service-key-identifiable",
             "Azure Machine Learning web service (classic) key, identifiable format (+AMC signature)",
             "+AMC", lead=76, tail_re="", tail_len=5, tail_alpha=B64, last="AQgw", pad="==",
             env="AZUREML_API_KEY", rotate="https://ml.azure.com/", keywords=["+amc"]))
add(az_ident("azure-apim-key-identifiable",
             "Azure API Management subscription/gateway/management key, identifiable format (APIM signature)",
             "APIM", lead=76, tail_re="", tail_len=5, tail_alpha=B64, last="AQgw", pad="==",
             env="APIM_SUBSCRIPTION_KEY", rotate=AZ_PORTAL + "#browse/Microsoft.ApiManagement%2Fservice",
             keywords=["apim"]))
add(az_ident("azure-function-key-identifiable",
             "Azure Functions access key, identifiable format (AzFu signature)", "AzFu",
             lead=44, tail_re="", tail_len=5, tail_alpha=B64URL, alphabet="url", last="AQgw", pad="==",
             env="AZURE_FUNCTION_KEY", rotate="https://learn.microsoft.com/azure/azure-functions/function-keys-how-to",
             keywords=["azfu"]))
add(az_ident("azure-search-key-identifiable",
             "Azure AI Search admin or query key, identifiable format (AzSe signature)", "AzSe",
             lead=42, tail_re="[A-D]", tail_len=5, tail_alpha="ABCD", alphabet="b62",
             env="AZURE_SEARCH_ADMIN_KEY", rotate=AZ_PORTAL + "#browse/Microsoft.Search%2FsearchServices",
             keywords=["azse"]))
add(az_ident("azure-container-registry-key-identifiable",
             "Azure Container Registry access key, identifiable format (+ACR signature)", "+ACR",
             lead=42, tail_re="[A-D]", tail_len=5, tail_alpha="ABCD",
             env="ACR_PASSWORD", rotate=AZ_PORTAL + "#browse/Microsoft.ContainerRegistry%2Fregistries",
             keywords=["+acr"]))
for kid, name, sig, env, rot, kw in [
    ("azure-cache-redis-key-identifiable", "Azure Cache for Redis access key", "AzCa",
     "REDIS_PASSWORD", AZ_PORTAL + "#browse/Microsoft.Cache%2FRedis", "azca"),
    ("azure-service-bus-key-identifiable", "Azure Service Bus access key", "+ASb",
     "SERVICEBUS_KEY", "https://learn.microsoft.com/azure/service-bus-messaging/service-bus-sas#regenerate-keys", "+asb"),
    ("azure-event-hubs-key-identifiable", "Azure Event Hubs access key", "+AEh",
     "EVENTHUB_KEY", "https://learn.microsoft.com/azure/event-hubs/authenticate-shared-access-signature", "+aeh"),
    ("azure-relay-key-identifiable", "Azure Relay access key", "+ARm",
     "RELAY_KEY", AZ_PORTAL + "#browse/Microsoft.Relay%2Fnamespaces", "+arm"),
    ("azure-iot-key-identifiable", "Azure IoT Hub / device / DPS access key", "AIoT",
     "IOTHUB_DEVICE_KEY", "https://learn.microsoft.com/azure/iot-hub/authenticate-authorize-sas", "aiot"),
    ("azure-event-grid-key-identifiable", "Azure Event Grid access key", "AZEG",
     "EVENTGRID_KEY", AZ_PORTAL + "#browse/Microsoft.EventGrid%2Ftopics", "azeg"),
]:
    add(az_ident(kid, f"{name}, identifiable format ({sig} signature)", sig, lead=33,
                 tail_re="[A-P]", tail_len=5, tail_alpha="ABCDEFGHIJKLMNOP", pad="=",
                 env=env, rotate=rot, keywords=[kw]))


def cog_key():
    return (b62(52) + "JQQJ99" + b62(1) + _R.choice("ABCDEFGHIJKL") + b62(16) + "ACOG" + b62(4))


add(prefix_rule(
    "azure-ai-services-key-identifiable", "azure",
    "Azure AI services / Azure OpenAI key, 84-character common annotated format (JQQJ99 … ACOG)",
    regex=r"\b([A-Za-z0-9]{52}JQQJ9[9DH][A-Za-z0-9][A-L][A-Za-z0-9]{16}ACOG[A-Za-z0-9]{4})\b",
    keywords=["jqqj9"], sample=cog_key, env_var="AZURE_OPENAI_API_KEY", entropy=4.0,
    severity="critical", rotate=AZ_PORTAL + "#browse/Microsoft.CognitiveServices%2Faccounts",
    negatives=["AZURE_OPENAI_API_KEY=${AZURE_OPENAI_API_KEY}",
               "AZURE_OPENAI_API_KEY=" + b62(52) + "JQQJ99",
               "AZURE_OPENAI_API_KEY=" + cog_key().replace("ACOG", "AZDO"),
               "Keys carry the JQQJ99 marker and a four-letter service signature such as ACOG."]))

add(ctx_rule(
    "azure-openai-api-key", "azure", "Azure OpenAI API key (32 hex) beside an Azure OpenAI key name",
    name=r"azure[_.\-]?openai[\w.\-]{0,20}(?:key|secret)", key="AZURE_OPENAI_API_KEY",
    value=HEXI(32), keywords=["azure_openai", "azureopenai", "azure-openai", "azure.openai"],
    rotate=AZ_PORTAL + "#browse/Microsoft.CognitiveServices%2Faccounts"))
add(ctx_rule(
    "azure-apim-subscription-key", "azure",
    "Azure API Management / Cognitive Services subscription key (32 hex) in an Ocp-Apim-Subscription-Key header or field",
    name=r"(?:ocp[_.\-]?)?apim[_.\-]?subscription[_.\-]?key", key="OCP_APIM_SUBSCRIPTION_KEY",
    value=HEXI(32), keywords=["apim"], rotate=AZ_PORTAL + "#browse/Microsoft.ApiManagement%2Fservice"))
add(ctx_rule(
    "azure-cosmosdb-key", "azure", "Azure Cosmos DB account key (88 base64) beside a Cosmos key name",
    name=r"cosmos(?:[_.\-]?db)?[_.\-]?(?:primary[_.\-]?|master[_.\-]?|account[_.\-]?|auth[_.\-]?)?key",
    key="COSMOS_DB_KEY", value=fixed(r"[A-Za-z0-9+/]{86}==", lambda: b64(86) + "=="), entropy=4.5,
    keywords=["cosmos"], rotate="https://learn.microsoft.com/azure/cosmos-db/database-security#key-rotation"))
add(ctx_rule(
    "azure-batch-account-key", "azure", "Azure Batch account key (88 base64) beside a Batch account key name",
    name=r"batch[_.\-]?account[_.\-]?key", key="AZURE_BATCH_ACCOUNT_KEY",
    value=fixed(r"[A-Za-z0-9+/]{86}==", lambda: b64(86) + "=="), entropy=4.5,
    keywords=["batch_account", "batchaccount", "batch-account", "batch.account"],
    rotate=AZ_PORTAL + "#browse/Microsoft.Batch%2FbatchAccounts"))
add(ctx_rule(
    "azure-search-api-key", "azure",
    "Azure AI Search admin or query key (32 hex, legacy format) beside an Azure Search key name",
    name=r"(?:azure[_.\-]?(?:ai[_.\-]?)?search[\w.\-]{0,20}|search[_.\-]?(?:service[_.\-]?)?(?:admin|query)[_.\-]?(?:api[_.\-]?)?)key",
    key="AZURE_SEARCH_ADMIN_KEY", value=HEXI(32),
    keywords=["azure_search", "azuresearch", "azure-search", "azure.search", "azure_ai_search",
              "azureaisearch", "azure-ai-search", "azure.ai.search", "search_admin", "searchadmin",
              "search-admin", "search.admin", "search_query", "searchquery", "search-query",
              "search.query", "service_admin", "serviceadmin", "service-admin", "service.admin",
              "service_query", "servicequery", "service-query", "service.query"],
    rotate=AZ_PORTAL + "#browse/Microsoft.Search%2FsearchServices"))
add(ctx_rule(
    "azure-function-key", "azure",
    "Azure Functions host/function key (56 base64, legacy format) in an x-functions-key header or function key field",
    name=r"(?:x[_.\-]?functions?[_.\-]?key|azure[_.\-]?functions?[_.\-]?(?:app[_.\-]?)?key|function[_.\-]?app[_.\-]?key)",
    key="AZURE_FUNCTION_KEY", value=fixed(r"[A-Za-z0-9_/+\-]{54}==", lambda: b64url(54) + "=="),
    entropy=4.0, keywords=["functions-key", "functions_key", "functionskey", "function_key",
                           "function-key", "functionkey", "function.key", "functions.key",
                           "function_app", "functionapp", "function-app", "function.app"],
    rotate="https://learn.microsoft.com/azure/azure-functions/function-keys-how-to"))


def fn_url():
    return (f"https://{alnum_lower(8)}-func.azurewebsites.net/api/HttpTrigger{b62(3)}?code="
            + b64url(54) + "==")


add(rule(
    "azure-function-url-code", "azure",
    "Azure Functions key in an invocation URL (…azurewebsites.net/api/…?code=)",
    regex=r"\.azurewebsites\.net/api/[A-Za-z0-9_\-/]{1,100}\?(?:[^\s\"'#<>]{0,200}&)?code=([A-Za-z0-9_/+\-]{40,80}(?:==|%3D%3D)?)" + URL_END,
    keywords=["azurewebsites.net/api/"],
    examples=[f"FUNCTION_URL={fn_url()}", f"fetch('{fn_url()}')",
              f"curl -X POST \"{fn_url().replace('==', '%3D%3D')}&name=test\""],
    negative_examples=[
        "FUNCTION_URL=https://myapp.azurewebsites.net/api/HttpTrigger?code=<function-key>",
        "FUNCTION_URL=https://myapp.azurewebsites.net/api/HttpTrigger?code=abc123",
        "See https://myapp.azurewebsites.net/api/HttpTrigger for the endpoint.",
        "FUNCTION_URL=https://myapp.azurewebsites.net/api/HttpTrigger?code=%FUNCTION_KEY%"],
    severity="high", confidence="high", entropy=3.5, env_var="AZURE_FUNCTION_URL",
    rotate="https://learn.microsoft.com/azure/azure-functions/function-keys-how-to"))

add(ctx_rule(
    "azure-event-grid-access-key", "azure",
    "Azure Event Grid topic access key (44 base64) in an aeg-sas-key header or Event Grid key field",
    name=r"(?:aeg[_.\-]?sas[_.\-]?key|event[_.\-]?grid[\w.\-]{0,20}key)", key="EVENT_GRID_TOPIC_KEY",
    value=fixed(r"[A-Za-z0-9+/]{43}=", lambda: b64(43) + "="), entropy=4.0,
    keywords=["aeg-sas", "aeg_sas", "aegsas", "aeg.sas", "eventgrid", "event_grid", "event-grid", "event.grid"],
    rotate=AZ_PORTAL + "#browse/Microsoft.EventGrid%2Ftopics"))


def conn(host, keyname, secret):
    return f"Endpoint=https://{alnum_lower(10)}.{host};{keyname}={secret};Version=1.0;"


add(rule(
    "azure-app-configuration-connection-string", "azure",
    "Azure App Configuration connection string (Endpoint=…azconfig.io;Id=…;Secret=…)",
    regex=r"(?i)Endpoint=https://[a-z0-9\-]{1,64}\.azconfig\.io/?;Id=[A-Za-z0-9+/:_.\-]{1,64};Secret=([A-Za-z0-9+/]{43}=|[A-Za-z0-9]{84})(?:[^A-Za-z0-9+/=]|$)",
    keywords=[".azconfig.io"],
    examples=[f"APP_CONFIG_CONNECTION_STRING=Endpoint=https://{alnum_lower(9)}.azconfig.io;Id={alnum_upper(4)}-l0-s0:{b62(20)};Secret={b64(43)}=",
              f"\"AppConfig\": \"Endpoint=https://{alnum_lower(6)}.azconfig.io;Id=1-l0-s0:{b62(20)};Secret={b64(43)}=\""],
    negative_examples=["APP_CONFIG_CONNECTION_STRING=Endpoint=https://my.azconfig.io;Id=xxx;Secret=<secret>",
                       "APP_CONFIG_CONNECTION_STRING=Endpoint=https://my.azconfig.io;Id=1-l0-s0:abc;Secret=" + b64(20),
                       "The endpoint is https://my.azconfig.io and the Secret comes from Key Vault."],
    entropy=4.0, env_var="APP_CONFIG_CONNECTION_STRING", severity="critical",
    rotate=AZ_PORTAL + "#browse/Microsoft.AppConfiguration%2FconfigurationStores"))

for kid, label, host, kw, env in [
    ("azure-signalr-connection-string", "Azure SignalR Service", "service.signalr.net",
     ".service.signalr.net", "AZURE_SIGNALR_CONNECTION_STRING"),
    ("azure-web-pubsub-connection-string", "Azure Web PubSub", "webpubsub.azure.com",
     ".webpubsub.azure.com", "WEBPUBSUB_CONNECTION_STRING"),
]:
    add(rule(
        kid, "azure", f"{label} connection string (Endpoint=https://….{host};AccessKey=…)",
        regex=r"(?i)Endpoint=https?://[a-z0-9\-]{1,64}\." + re.escape(host)
              + r"/?;AccessKey=([A-Za-z0-9+/]{43}=|[A-Za-z0-9]{84})(?:[^A-Za-z0-9+/=]|$)",
        keywords=[kw],
        examples=[f"{env}={conn(host, 'AccessKey', b64(43) + '=')}",
                  f"\"Azure:SignalR:ConnectionString\": \"{conn(host, 'AccessKey', b64(43) + '=')}\""],
        negative_examples=[f"{env}=Endpoint=https://x.{host};AccessKey=<access-key>;Version=1.0;",
                           f"{env}=Endpoint=https://x.{host};AuthType=azure.msi;Version=1.0;",
                           f"{env}=Endpoint=https://x.{host};AccessKey={b64(20)};Version=1.0;"],
        entropy=4.0, env_var=env, severity="critical", rotate=AZ_PORTAL))


def acs():
    return f"endpoint=https://{alnum_lower(8)}.communication.azure.com/;accesskey={b64(86)}=="


add(rule(
    "azure-communication-services-connection-string", "azure",
    "Azure Communication Services connection string (endpoint=…communication.azure.com/;accesskey=…)",
    regex=r"(?i)endpoint=https://[a-z0-9\-]{1,64}\.(?:[a-z]{2,20}\.)?communication\.azure\.com/?;accesskey=([A-Za-z0-9+/]{86}==)",
    keywords=[".communication.azure.com"],
    examples=[f"COMMUNICATION_SERVICES_CONNECTION_STRING={acs()}", f"const connectionString = \"{acs()}\";"],
    negative_examples=["COMMUNICATION_SERVICES_CONNECTION_STRING=endpoint=https://x.communication.azure.com/;accesskey=<key>",
                       "COMMUNICATION_SERVICES_CONNECTION_STRING=endpoint=https://x.communication.azure.com/;accesskey=" + b64(40),
                       "Create the resource at https://x.communication.azure.com/ and copy the accesskey."],
    entropy=4.5, env_var="COMMUNICATION_SERVICES_CONNECTION_STRING", severity="critical",
    rotate=AZ_PORTAL + "#browse/Microsoft.Communication%2FCommunicationServices"))

MAPS_VAL = fixed(r"[A-Za-z0-9_\-]{43}|[A-Za-z0-9]{84}", lambda: b64url(43))
add(ctx_rule(
    "azure-maps-subscription-key", "azure", "Azure Maps shared (subscription) key beside an Azure Maps key name",
    name=r"azure[_.\-]?maps[\w.\-]{0,20}(?:key|token)", key="AZURE_MAPS_SUBSCRIPTION_KEY",
    value=Fmt(r"(?:[A-Za-z0-9_\-]{43}|[A-Za-z0-9]{84})", lambda: b64url(43)), entropy=4.0,
    keywords=["azure_maps", "azuremaps", "azure-maps", "azure.maps"],
    rotate=AZ_PORTAL + "#browse/Microsoft.Maps%2Faccounts"))


def maps_url():
    return f"https://atlas.microsoft.com/search/address/json?api-version=1.0&subscription-key={b64url(43)}&query=Seattle"


add(rule(
    "azure-maps-key-in-url", "azure", "Azure Maps shared key in a request URL (atlas.microsoft.com …subscription-key=)",
    regex=r"atlas\.microsoft\.com/[^\s\"'<>]{0,300}?[?&]subscription-key=([A-Za-z0-9_\-]{43}|[A-Za-z0-9]{84})" + URL_END,
    keywords=["atlas.microsoft.com"],
    examples=[f"const url = \"{maps_url()}\";", f"curl '{maps_url()}'"],
    negative_examples=["https://atlas.microsoft.com/search/address/json?subscription-key={key}&query=x",
                       "https://atlas.microsoft.com/search/address/json?subscription-key=abc&query=x",
                       "Azure Maps REST endpoints live under atlas.microsoft.com."],
    entropy=4.0, env_var="AZURE_MAPS_SUBSCRIPTION_KEY", rotate=AZ_PORTAL + "#browse/Microsoft.Maps%2Faccounts"))

add(ctx_rule(
    "azure-client-secret-legacy", "azure",
    "Microsoft Entra ID application client secret in the legacy 44-character base64 format beside an Azure client-secret name",
    name=r"(?:azure|aad|arm|entra|msal)[_.\-]?(?:ad[_.\-]?)?client[_.\-]?secret", key="AZURE_CLIENT_SECRET",
    value=fixed(r"[A-Za-z0-9+/]{43}=", lambda: b64(43) + "="), entropy=4.0,
    keywords=["azure_client", "azureclient", "azure-client", "azure.client", "aad_client", "aadclient",
              "aad-client", "arm_client", "armclient", "arm-client", "entra_client", "entraclient",
              "azure_ad_client", "azureadclient", "azure-ad-client", "azure.ad.client", "msal_client",
              "msalclient", "msal-client"],
    severity="critical", rotate="https://portal.azure.com/#view/Microsoft_AAD_RegisteredApps/ApplicationsListBlade"))


def logic_url():
    return (f"https://prod-{digits(2)}.westeurope.logic.azure.com:443/workflows/{hexs(32)}/triggers/manual/"
            f"paths/invoke?api-version=2016-10-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig={b64url(43)}")


add(rule(
    "azure-logic-apps-trigger-url", "azure",
    "Azure Logic Apps HTTP trigger URL with its SAS signature (…logic.azure.com/workflows/…&sig=; also Teams Workflows and Power Automate flows hosted there)",
    regex=r"\.logic\.azure\.com(?::443)?/workflows/[0-9a-f]{32}/triggers/[^\s\"'<>]{1,400}?[?&]sig=([A-Za-z0-9_\-]{43})" + URL_END,
    keywords=[".logic.azure.com"],
    examples=[f"LOGIC_APP_URL={logic_url()}", f"webhook_url: \"{logic_url()}\""],
    negative_examples=["LOGIC_APP_URL=https://prod-00.westeurope.logic.azure.com:443/workflows/<id>/triggers/manual/paths/invoke?sig=<sig>",
                       f"LOGIC_APP_URL=https://prod-00.westeurope.logic.azure.com:443/workflows/{hexs(32)}/triggers/manual/paths/invoke?sig=short",
                       "Logic Apps trigger URLs are served from *.logic.azure.com."],
    entropy=4.0, env_var="LOGIC_APP_URL", rotate="https://learn.microsoft.com/azure/logic-apps/logic-apps-securing-a-logic-app#regenerate-access-keys"))

# =============================================================================== Google Cloud


def pem_json():
    body = "\\n".join(b64(64) for _ in range(6))
    return f"-----BEGIN PRIVATE KEY-----\\n{body}\\n-----END PRIVATE KEY-----\\n"


def pem_raw():
    body = "\n".join(b64(64) for _ in range(6))
    return f"-----BEGIN PRIVATE KEY-----\n{body}\n-----END PRIVATE KEY-----\n"


SA_EMAIL = lambda: f"{alnum_lower(8)}@{alnum_lower(6)}-{digits(6)}.iam.gserviceaccount.com"  # noqa: E731
add(rule(
    "gcp-service-account-key-dict", "google",
    "Google Cloud service-account private key with its client_email in a YAML mapping, Python dict or other non-JSON form",
    regex=(r"(?s)(?:^|[\s{,(])'?private_key'?\s{0,4}[:=]\s{0,4}[|>]?[\s'\"]{0,12}(-----BEGIN (?:RSA )?PRIVATE KEY-----"
           r"(?:\\n|\s)[A-Za-z0-9+/=\s\\]{64,8192}?-----END (?:RSA )?PRIVATE KEY-----(?:\\n)?)['\"]?.{0,800}?"
           r"client_email'?\s{0,4}[:=]\s{0,4}['\"]?[a-z0-9\-]{1,64}@[a-z0-9\-]{1,64}\.iam\.gserviceaccount\.com"),
    keywords=["gserviceaccount.com"],
    examples=[
        f"credentials = {{\n    'type': 'service_account',\n    'private_key': '{pem_json()}',\n    'client_email': '{SA_EMAIL()}',\n}}",
        f"gcp:\n  private_key: |\n    " + pem_raw().replace("\n", "\n    ").rstrip() + f"\n  client_email: {SA_EMAIL()}\n",
    ],
    negative_examples=[
        "credentials = {'private_key': os.environ['GCP_KEY'], 'client_email': 'x@p.iam.gserviceaccount.com'}",
        "{\"private_key\": \"-----BEGIN PRIVATE KEY-----\\n...\\n-----END PRIVATE KEY-----\\n\", \"client_email\": \"a@b.iam.gserviceaccount.com\"}",
        "private_key: <paste the key>\nclient_email: deploy@proj.iam.gserviceaccount.com",
    ],
    severity="critical", entropy=None, window=8192, env_var="GOOGLE_APPLICATION_CREDENTIALS",
    rotate="https://console.cloud.google.com/iam-admin/serviceaccounts"))


def client_json():
    return (f"{{\"installed\":{{\"client_id\":\"{digits(12)}-{alnum_lower(32)}.apps.googleusercontent.com\","
            f"\"project_id\":\"demo-{digits(6)}\",\"auth_uri\":\"https://accounts.google.com/o/oauth2/auth\","
            f"\"client_secret\":\"{b64url(24)}\",\"redirect_uris\":[\"http://localhost\"]}}}}")


add(rule(
    "google-oauth-client-secret-legacy", "google",
    "Google OAuth 2.0 client secret in the legacy 24-character format, in a client_secret JSON beside its client_id",
    regex=r"(?s)\"client_id\"\s{0,4}:\s{0,4}\"[0-9]{6,30}-[a-z0-9]{32}\.apps\.googleusercontent\.com\".{0,400}?\"client_secret\"\s{0,4}:\s{0,4}\"([A-Za-z0-9_\-]{24})\"",
    keywords=["apps.googleusercontent.com"],
    examples=[client_json(), client_json().replace(",", ",\n  ")],
    negative_examples=[
        client_json().split("\"client_secret\"")[0] + "\"client_secret\":\"GOCSPX-" + b64url(28) + "\"}}",
        client_json().split("\"client_secret\"")[0] + "\"client_secret\":\"<your-client-secret>\"}}",
        "{\"client_id\": \"1234-abc.apps.googleusercontent.com\", \"client_secret\": \"" + b64url(24) + "\"}",
    ],
    entropy=3.5, env_var="GOOGLE_CLIENT_SECRET", rotate="https://console.cloud.google.com/apis/credentials"))

add(ctx_rule(
    "gcp-storage-hmac-secret", "google",
    "Google Cloud Storage HMAC secret (40 base64) beside a gs_secret_access_key / GCS HMAC secret name",
    name=r"(?:gs[_.\-]?secret[_.\-]?access[_.\-]?key|gcs[_.\-]?(?:hmac[_.\-]?)?secret(?:[_.\-]?(?:access[_.\-]?)?key)?)",
    key="GS_SECRET_ACCESS_KEY", value=B64CHARS(40), entropy=4.0,
    keywords=["gs_secret", "gssecret", "gs-secret", "gs.secret", "gcs_hmac", "gcshmac", "gcs-hmac",
              "gcs.hmac", "gcs_secret", "gcssecret", "gcs-secret", "gcs.secret"],
    rotate="https://console.cloud.google.com/storage/settings;tab=interoperability"))
add(ctx_rule(
    "google-recaptcha-secret-key", "google",
    "Google reCAPTCHA secret key (6L + 38 characters) beside a reCAPTCHA secret name",
    name=r"recaptcha[\w.\-]{0,20}secret", key="RECAPTCHA_SECRET_KEY",
    value=fixed(r"6L[0-9A-Za-z_\-]{38}", lambda: "6L" + b64url(38)), entropy=4.0,
    keywords=["recaptcha"], severity="medium", rotate="https://www.google.com/recaptcha/admin"))
add(ctx_rule(
    "firebase-database-secret", "firebase",
    "Firebase Realtime Database legacy secret (40 alphanumerics) beside a Firebase secret name",
    name=r"firebase[\w.\-]{0,20}(?:secret|db[_.\-]?key|database[_.\-]?key|auth[_.\-]?token)",
    key="FIREBASE_DATABASE_SECRET", value=ALNUM(40), entropy=4.0, keywords=["firebase"],
    rotate="https://console.firebase.google.com/project/_/settings/serviceaccounts/databasesecrets"))

# =============================================================================== Alibaba, Huawei, IBM, Oracle


def sts_cais():
    return "CAIS" + b64(_R.choice([320, 480, 640]))


add(prefix_rule(
    "alibaba-sts-security-token", "alibaba",
    "Alibaba Cloud STS security token (CAIS prefix, protobuf base64)",
    regex=B64_START + r"(CAIS[A-Za-z0-9+/]{200,2000}={0,2})" + B64_END,
    keywords=["cais"], sample=sts_cais, env_var="ALIBABA_CLOUD_SECURITY_TOKEN", entropy=4.5,
    rotate="https://ram.console.aliyun.com/roles",
    negatives=pneg("ALIBABA_CLOUD_SECURITY_TOKEN", "CAIS", b64(100), short=60,
                   extra=["CAISSON_DEPTH = 12", "ALIBABA_CLOUD_SECURITY_TOKEN=CAIS" + "A" * 300])))
add(ctx_rule(
    "huaweicloud-access-key-id", "huawei",
    "Huawei Cloud access key ID (AK, 20 upper-case alphanumerics) beside a Huawei Cloud key name",
    name=r"(?:huawei(?:[_.\-]?cloud)?|hwcloud)[\w.\-]{0,20}(?:access[_.\-]?key(?:[_.\-]?id)?|\bak)",
    key="HUAWEICLOUD_ACCESS_KEY", value=UPPERNUM(20), entropy=3.0, severity="medium",
    keywords=["huawei", "hwcloud"], rotate="https://console-intl.huaweicloud.com/iam/#/mine/accessKey"))
add(ctx_rule(
    "huaweicloud-secret-access-key", "huawei",
    "Huawei Cloud secret access key (SK, 40 alphanumerics) beside a Huawei Cloud secret name",
    name=r"(?:huawei(?:[_.\-]?cloud)?|hwcloud)[\w.\-]{0,20}(?:secret[_.\-]?(?:access[_.\-]?)?key|\bsk)",
    key="HUAWEICLOUD_SECRET_KEY", value=ALNUM(40), entropy=4.0, severity="critical",
    keywords=["huawei", "hwcloud"], rotate="https://console-intl.huaweicloud.com/iam/#/mine/accessKey"))


def ibm_cos():
    return (f"{{\n  \"apikey\": \"{b64url(44)}\",\n  \"cos_hmac_keys\": {{\n    \"access_key_id\": \"{hexs(32)}\",\n"
            f"    \"secret_access_key\": \"{hexs(48)}\"\n  }},\n  \"endpoints\": \"https://control.cloud-object-storage.cloud.ibm.com/v2/endpoints\"\n}}")


add(rule(
    "ibm-cos-hmac-secret-key", "ibm",
    "IBM Cloud Object Storage HMAC secret access key (48 hex) in a service credential's cos_hmac_keys",
    regex=r"(?s)cos_hmac_keys\"?\s{0,4}:\s{0,4}\{.{0,200}?\"secret_access_key\"\s{0,4}:\s{0,4}\"([0-9a-f]{48})\"",
    keywords=["cos_hmac_keys"], examples=[ibm_cos(), ibm_cos().replace("\n", "").replace("  ", "")],
    negative_examples=["\"cos_hmac_keys\": {\"access_key_id\": \"<id>\", \"secret_access_key\": \"<secret>\"}",
                       "\"cos_hmac_keys\": {\"secret_access_key\": \"" + hexs(40) + "\"}",
                       "Enable cos_hmac_keys with {\"HMAC\": true} when creating the credential."],
    severity="critical", entropy=3.0, env_var="COS_HMAC_SECRET_ACCESS_KEY",
    rotate="https://cloud.ibm.com/objectstorage"))


def ibm_cred():
    return (f"{{\n  \"apikey\": \"{b64url(44)}\",\n  \"iam_apikey_description\": \"Auto-generated for key {uuid4()}\",\n"
            f"  \"iam_apikey_name\": \"Service credentials-1\",\n  \"iam_role_crn\": \"crn:v1:bluemix:public:iam::::serviceRole:Manager\"\n}}")


add(rule(
    "ibm-cloud-service-credential-apikey", "ibm",
    "IBM Cloud IAM API key inside a service credential JSON (apikey next to iam_apikey_* fields)",
    regex=r"(?s)\"apikey\"\s{0,4}:\s{0,4}\"([A-Za-z0-9_\-]{44})\".{0,600}?\"iam_apikey_(?:description|name)\"",
    keywords=["iam_apikey_"], examples=[ibm_cred(), ibm_cred().replace("\n", "")],
    negative_examples=["{\"apikey\": \"<apikey>\", \"iam_apikey_description\": \"x\"}",
                       "{\"apikey\": \"" + b64url(30) + "\", \"iam_apikey_name\": \"x\"}",
                       "{\"iam_apikey_name\": \"x\", \"note\": \"the apikey field holds the key\"}"],
    severity="critical", entropy=3.5, window=2048, env_var="IBMCLOUD_API_KEY", rotate="https://cloud.ibm.com/iam/apikeys"))
add(ctx_rule(
    "oci-customer-secret-key", "oracle-cloud",
    "Oracle Cloud (OCI) customer secret key for the S3-compatible API (44 base64) beside an OCI secret-key name",
    name=r"oci[_.\-]?(?:s3[_.\-]?)?(?:customer[_.\-]?)?secret[_.\-]?(?:access[_.\-]?)?key",
    key="OCI_SECRET_ACCESS_KEY", value=fixed(r"[A-Za-z0-9+/]{43}=", lambda: b64(43) + "="), entropy=4.0,
    keywords=["oci_", "oci-", "oci.", "ocis3", "ocicustomer", "ocisecret"], severity="critical",
    rotate="https://cloud.oracle.com/identity/domains/my-profile/customer-secret-keys"))


def oci_config():
    return (f"[DEFAULT]\nuser=ocid1.user.oc1..aaaaaaaa{alnum_lower(52)}\nfingerprint="
            + ":".join(hexs(2) for _ in range(16))
            + f"\ntenancy=ocid1.tenancy.oc1..aaaaaaaa{alnum_lower(52)}\nregion=eu-frankfurt-1\n"
            f"key_file=~/.oci/oci_api_key.pem\npass_phrase={b64(24)}\n")


add(rule(
    "oci-config-key-passphrase", "oracle-cloud",
    "Passphrase of the API signing key in an OCI CLI/SDK config file (pass_phrase next to the key fingerprint)",
    regex=r"(?s)fingerprint\s{0,3}=\s{0,3}(?:[0-9a-f]{2}:){15}[0-9a-f]{2}.{0,600}?\bpass_phrase\s{0,3}=\s{0,3}([^\s#;'\"]{8,128})",
    keywords=["pass_phrase"], examples=[oci_config(), oci_config().replace("region=eu-frankfurt-1\n", "")],
    negative_examples=[oci_config().replace("pass_phrase=", "# pass_phrase=").split("# pass_phrase=")[0] + "# no pass_phrase set\n",
                       "fingerprint=" + ":".join(hexs(2) for _ in range(16)) + "\npass_phrase=${OCI_PASS}",
                       "pass_phrase=" + b64(24) + "\n"],
    severity="high", entropy=3.0, window=2048, env_var="OCI_CLI_PASSPHRASE",
    rotate="https://cloud.oracle.com/identity/domains/my-profile/api-keys"))

# =============================================================================== DigitalOcean, Linode, Vultr, Hetzner, Scaleway, OVH, UpCloud, Exoscale
add(ctx_rule(
    "digitalocean-spaces-access-key", "digitalocean",
    "DigitalOcean Spaces access key ID (DO + 18 upper-case alphanumerics) beside a Spaces key name",
    name=r"(?:spaces|digitalocean|\bdo)[_.\-]?(?:spaces[_.\-]?)?access[_.\-]?key(?:[_.\-]?id)?",
    key="SPACES_ACCESS_KEY_ID", value=fixed(r"DO[0-9A-Z]{18}", lambda: "DO" + alnum_upper(18)),
    entropy=3.0, severity="medium",
    keywords=["spaces_access", "spacesaccess", "spaces-access", "spaces.access", "digitalocean"],
    rotate="https://cloud.digitalocean.com/spaces/access_keys"))
add(ctx_rule(
    "digitalocean-spaces-secret-key", "digitalocean",
    "DigitalOcean Spaces secret key (43 base64) beside a Spaces secret name",
    name=r"(?:spaces|digitalocean|\bdo)[_.\-]?(?:spaces[_.\-]?)?secret(?:[_.\-]?(?:access[_.\-]?)?key)?",
    key="SPACES_SECRET_ACCESS_KEY", value=B64CHARS(43), entropy=4.0, severity="critical",
    keywords=["spaces_secret", "spacessecret", "spaces-secret", "spaces.secret", "digitalocean"],
    rotate="https://cloud.digitalocean.com/spaces/access_keys"))
add(ctx_rule(
    "linode-object-storage-secret-key", "linode",
    "Linode / Akamai Cloud Object Storage secret key (40 alphanumerics) beside a Linode secret name",
    name=r"linode[\w.\-]{0,20}(?:secret[_.\-]?(?:access[_.\-]?)?key|obj[_.\-]?secret)",
    key="LINODE_OBJ_SECRET_KEY", value=ALNUM(40), entropy=4.0, keywords=["linode"], severity="critical",
    rotate="https://cloud.linode.com/object-storage/access-keys"))
add(ctx_rule(
    "vultr-api-key", "vultr", "Vultr API key (36 upper-case alphanumerics) beside a Vultr key name",
    name=r"vultr[\w.\-]{0,20}(?:api[_.\-]?key|token|key)", key="VULTR_API_KEY", value=UPPERNUM(36),
    entropy=3.5, keywords=["vultr"], severity="critical", rotate="https://my.vultr.com/settings/#settingsapi"))
add(ctx_rule(
    "hetzner-dns-api-token", "hetzner", "Hetzner DNS API token (32 alphanumerics) beside a Hetzner DNS token name",
    name=r"hetzner[_.\-]?dns[\w.\-]{0,20}(?:token|key)", key="HETZNER_DNS_API_TOKEN", value=ALNUM(32),
    entropy=3.5, keywords=["hetzner"], rotate="https://dns.hetzner.com/settings/api-token"))
add(ctx_rule(
    "scaleway-access-key", "scaleway", "Scaleway API access key ID (SCW + 17 upper-case alphanumerics) beside a Scaleway access-key name",
    name=r"(?:scw|scaleway)[_.\-]?access[_.\-]?key", key="SCW_ACCESS_KEY",
    value=fixed(r"SCW[A-Z0-9]{17}", lambda: "SCW" + alnum_upper(17)), entropy=3.0, severity="medium",
    keywords=["scw_access", "scwaccess", "scw-access", "scw.access", "scaleway"],
    rotate="https://console.scaleway.com/iam/api-keys"))
OVH_KW = ["ovh_", "ovh-", "ovh.", "ovhapp", "ovhcons", "ovhapi"]
add(ctx_rule(
    "ovh-application-secret", "ovh", "OVHcloud API application secret (32 alphanumerics) beside an OVH secret name",
    name=r"ovh[\w.\-]{0,20}(?:application|app|api)[_.\-]?secret", key="OVH_APPLICATION_SECRET",
    value=ALNUM(32), entropy=3.5, keywords=OVH_KW, severity="critical",
    rotate="https://api.ovh.com/console/#/me/api/application"))
add(ctx_rule(
    "ovh-consumer-key", "ovh", "OVHcloud API consumer key (32 alphanumerics) beside an OVH consumer-key name",
    name=r"ovh[\w.\-]{0,20}consumer[_.\-]?key", key="OVH_CONSUMER_KEY", value=ALNUM(32), entropy=3.5,
    keywords=OVH_KW, severity="critical", rotate="https://api.ovh.com/console/#/me/api/credential"))


def ovh_conf():
    return (f"[default]\nendpoint=ovh-eu\n\n[ovh-eu]\napplication_key={b62(16)}\n"
            f"application_secret={b62(32)}\nconsumer_key={b62(32)}\n")


add(rule(
    "ovh-conf-application-secret", "ovh",
    "OVHcloud API application secret in an ovh.conf endpoint section ([ovh-eu] … application_secret=)",
    regex=r"(?s)\[(?:ovh|kimsufi|soyoustart)-[a-z]{2,3}\].{0,300}?\bapplication_secret\s{0,3}=\s{0,3}([A-Za-z0-9]{32})\b",
    keywords=["[ovh-", "[kimsufi-", "[soyoustart-"], examples=[ovh_conf(), ovh_conf().replace("=", " = ")],
    negative_examples=["[ovh-eu]\napplication_key=my_app_key\napplication_secret=my_application_secret\n",
                       "[ovh-eu]\napplication_secret=" + b62(20) + "\n",
                       "application_secret=" + b62(32) + "\n"],
    severity="critical", entropy=3.5, env_var="OVH_APPLICATION_SECRET",
    rotate="https://api.ovh.com/console/#/me/api/application"))


def ucat():
    return "ucat_" + alnum_upper(26) + b62(6)


add(prefix_rule(
    "upcloud-api-token", "upcloud", "UpCloud API token (ucat_ prefix)",
    regex=r"\b(ucat_[0-9A-Za-z_\-]{20,80})" + URL_END, keywords=["ucat_"], sample=ucat,
    env_var="UPCLOUD_TOKEN", entropy=3.5, severity="critical",
    rotate="https://hub.upcloud.com/account/api-tokens",
    negatives=pneg("UPCLOUD_TOKEN", "ucat_", b62(30), short=10, extra=["Authorization: Bearer ucat_Your_API_Token"])))
add(ctx_rule(
    "exoscale-api-key", "exoscale", "Exoscale API key ID (EXO + 24 hex) beside an Exoscale key name",
    name=r"(?:exoscale[\w.\-]{0,20}(?:api[_.\-]?)?key|exo[_.\-]?api[_.\-]?key)", key="EXOSCALE_API_KEY",
    value=fixed(r"EXO[0-9a-f]{24}", lambda: "EXO" + hexs(24)), entropy=3.0, severity="medium",
    keywords=["exoscale", "exo_api", "exoapi", "exo-api", "exo.api"],
    rotate="https://portal.exoscale.com/iam/api-keys"))
add(ctx_rule(
    "exoscale-api-secret", "exoscale", "Exoscale API secret (43 base64url) beside an Exoscale secret name",
    name=r"(?:exoscale[\w.\-]{0,20}(?:api[_.\-]?)?secret|exo[_.\-]?api[_.\-]?secret)", key="EXOSCALE_API_SECRET",
    value=URLSAFE(43), entropy=4.0, severity="critical",
    keywords=["exoscale", "exo_api", "exoapi", "exo-api", "exo.api"],
    rotate="https://portal.exoscale.com/iam/api-keys"))

# =============================================================================== Cloudflare, Akamai, CDNs
CF_ROT = "https://dash.cloudflare.com/profile/api-tokens"
for kid, pfx, label, env in [
    ("cloudflare-user-api-token", "cfut_", "user API token", "CLOUDFLARE_API_TOKEN"),
    ("cloudflare-account-api-token", "cfat_", "account API token", "CLOUDFLARE_API_TOKEN"),
    ("cloudflare-global-api-key-v2", "cfk_", "Global API key", "CLOUDFLARE_API_KEY"),
]:
    smp = (lambda p: lambda: p + b62(40) + hexs(8))(pfx)
    add(prefix_rule(
        kid, "cloudflare", f"Cloudflare {label}, scannable format ({pfx} + 40 characters + checksum)",
        regex=rf"\b({re.escape(pfx)}[A-Za-z0-9]{{46,50}})\b", keywords=[pfx], sample=smp,
        env_var=env, entropy=4.0, severity="critical", rotate=CF_ROT,
        negatives=pneg(env, pfx, b62(48), short=20)))


def cf_tunnel():
    return b64enc(f'{{"a":"{hexs(32)}","t":"{uuid4()}","s":"{b64(43)}="}}')


add(prefix_rule(
    "cloudflare-tunnel-token", "cloudflare",
    "Cloudflare Tunnel token (base64 JSON with account tag, tunnel ID and tunnel secret)",
    regex=r"\b(eyJhIjoi[A-Za-z0-9+/]{100,400}={0,2})" + B64_END, keywords=["eyjhijoi"],
    sample=cf_tunnel, env_var="TUNNEL_TOKEN", entropy=4.0, severity="critical",
    rotate="https://one.dash.cloudflare.com/?to=/:account/networks/tunnels",
    negatives=pneg("TUNNEL_TOKEN", "eyJhIjoi", b64(120), short=30)))
add(ctx_rule(
    "cloudflare-access-client-secret", "cloudflare",
    "Cloudflare Access service-token client secret (64 hex) in a CF-Access-Client-Secret header or field",
    name=r"cf[_.\-]?access[_.\-]?client[_.\-]?secret", key="CF_ACCESS_CLIENT_SECRET", value=HEX(64),
    entropy=3.0, keywords=["cf-access", "cf_access", "cfaccess", "cf.access"],
    rotate="https://one.dash.cloudflare.com/?to=/:account/access/service-auth"))
add(ctx_rule(
    "cloudflare-r2-secret-access-key", "cloudflare",
    "Cloudflare R2 secret access key (64 hex) beside an R2 secret name",
    name=r"(?:r2[_.\-]?secret(?:[_.\-]?access)?[_.\-]?key|cloudflare[_.\-]?r2[\w.\-]{0,20}secret)",
    key="R2_SECRET_ACCESS_KEY", value=HEX(64), entropy=3.0,
    keywords=["r2_secret", "r2secret", "r2-secret", "r2.secret", "cloudflare_r2", "cloudflarer2", "cloudflare-r2"],
    severity="critical", rotate="https://dash.cloudflare.com/?to=/:account/r2/api-tokens"))
add(ctx_rule(
    "cloudflare-turnstile-secret-key", "cloudflare",
    "Cloudflare Turnstile secret key (0x4AAAAAAA prefix) beside a Turnstile secret name",
    name=r"turnstile[\w.\-]{0,20}secret", key="TURNSTILE_SECRET_KEY",
    value=fixed(r"0x4AAAAAAA[A-Za-z0-9_\-]{20,30}", lambda: "0x4AAAAAAA" + rand(B62.replace("A", "").replace("a", ""), 1) + b64url(23)), entropy=2.5,
    keywords=["turnstile"], severity="medium",
    rotate="https://dash.cloudflare.com/?to=/:account/turnstile"))


def edgerc():
    return (f"[default]\nclient_secret = {b64(43)}=\nhost = akab-{alnum_lower(16)}-{alnum_lower(16)}.luna.akamaiapis.net\n"
            f"access_token = akab-{alnum_lower(16)}-{alnum_lower(16)}\nclient_token = akab-{alnum_lower(16)}-{alnum_lower(16)}\n")


add(rule(
    "akamai-edgegrid-client-secret", "akamai",
    "Akamai EdgeGrid client secret in an .edgerc section (client_secret followed by the akab- host/tokens)",
    regex=r"(?s)\bclient_secret\s{0,3}[=:]\s{0,3}[\"']?([A-Za-z0-9+/]{43}=)[\"']?.{0,400}?akab-[a-z0-9]{16}-[a-z0-9]{16}",
    keywords=["akab-"], examples=[edgerc(), edgerc().replace(" = ", "=")],
    negative_examples=["[default]\nclient_secret = xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx=\nhost = akab-xxxxxxxxxxxxxxxx-xxxxxxxxxxxxxxxx.luna.akamaiapis.net\n",
                       "client_secret = " + b64(43) + "=\n",
                       "[default]\nclient_secret = " + b64(20) + "\nhost = akab-" + alnum_lower(16) + "-" + alnum_lower(16) + ".luna.akamaiapis.net\n"],
    severity="critical", entropy=4.0, env_var="AKAMAI_CLIENT_SECRET",
    rotate="https://control.akamai.com/apps/identity-management/#/tabs/users/list"))
add(rule(
    "akamai-edgegrid-token", "akamai",
    "Akamai EdgeGrid access_token / client_token (akab- + 16 + 16)",
    regex=r"\b(?:access|client)_token\s{0,3}[=:]\s{0,3}[\"']?(akab-[a-z0-9]{16}-[a-z0-9]{16})\b",
    keywords=["akab-"], examples=[edgerc(), f"access_token: \"akab-{alnum_lower(16)}-{alnum_lower(16)}\""],
    negative_examples=["access_token = akab-xxxxxxxxxxxxxxxx-xxxxxxxxxxxxxxxx",
                       "access_token = akab-" + alnum_lower(8),
                       "host = akab-" + alnum_lower(16) + "-" + alnum_lower(16) + ".luna.akamaiapis.net"],
    severity="high", entropy=3.0, env_var="AKAMAI_ACCESS_TOKEN",
    rotate="https://control.akamai.com/apps/identity-management/#/tabs/users/list"))

# =============================================================================== PaaS / hosting
for kid, pfx, label in [
    ("vercel-personal-access-token", "vcp_", "personal access token"),
    ("vercel-integration-token", "vci_", "integration token"),
    ("vercel-app-access-token", "vca_", "app access token"),
    ("vercel-app-refresh-token", "vcr_", "app refresh token"),
    ("vercel-api-key", "vck_", "API key"),
]:
    smp = (lambda p: lambda: p + b62(56))(pfx)
    add(prefix_rule(
        kid, "vercel", f"Vercel {label} ({pfx} prefix)",
        regex=rf"\b({re.escape(pfx)}[A-Za-z0-9]{{24,80}})\b", keywords=[pfx], sample=smp,
        env_var="VERCEL_TOKEN", entropy=3.5, severity="critical", rotate="https://vercel.com/account/tokens",
        negatives=pneg("VERCEL_TOKEN", pfx, b62(56), short=12)))
add(prefix_rule(
    "render-api-key", "render", "Render API key (rnd_ + 32 alphanumerics)",
    regex=r"\b(rnd_[A-Za-z0-9]{32})\b", keywords=["rnd_"], sample=lambda: "rnd_" + b62(32),
    env_var="RENDER_API_KEY", entropy=3.5, severity="critical",
    rotate="https://dashboard.render.com/u/settings#api-keys",
    negatives=pneg("RENDER_API_KEY", "rnd_", b62(32), short=12,
                   extra=["let rnd_seed_value_for_the_generator_x = 42;"])))


def render_hook():
    return f"https://api.render.com/deploy/srv-{alnum_lower(20)}?key={b64url(11)}"


add(rule(
    "render-deploy-hook-url", "render", "Render deploy hook URL (api.render.com/deploy/srv-…?key=)",
    regex=r"api\.render\.com/deploy/srv-[a-z0-9]{20}\?key=([A-Za-z0-9_\-]{8,32})" + URL_END,
    keywords=["api.render.com/deploy"],
    examples=[f"RENDER_DEPLOY_HOOK_URL={render_hook()}", f"curl -X POST \"{render_hook()}\""],
    negative_examples=["RENDER_DEPLOY_HOOK_URL=https://api.render.com/deploy/srv-xxxxxxxxxxxxxxxxxxxx?key=<key>",
                       "curl https://api.render.com/deploy/srv-" + alnum_lower(20),
                       "Deploy hooks look like api.render.com/deploy/srv-<id>?key=<key>."],
    severity="high", entropy=2.5, env_var="RENDER_DEPLOY_HOOK_URL",
    rotate="https://render.com/docs/deploy-hooks"))
add(ctx_rule(
    "railway-api-token", "railway", "Railway API / project token (UUID) beside a Railway token name",
    name=r"railway[\w.\-]{0,20}(?:token|api[_.\-]?key)", key="RAILWAY_TOKEN", value=UUID(),
    keywords=["railway"], severity="critical", rotate="https://railway.com/account/tokens"))
add(prefix_rule(
    "deno-deploy-access-token", "deno", "Deno Deploy personal access token (ddp_ + 36 alphanumerics)",
    regex=r"\b(ddp_[A-Za-z0-9]{36})\b", keywords=["ddp_"], sample=lambda: "ddp_" + b62(36),
    env_var="DENO_DEPLOY_TOKEN", entropy=3.5, severity="critical",
    rotate="https://dash.deno.com/account#access-tokens",
    negatives=pneg("DENO_DEPLOY_TOKEN", "ddp_", b62(36), short=12)))
add(prefix_rule(
    "scalingo-api-token", "scalingo", "Scalingo API token (tk-us- prefix)",
    regex=r"\b(tk-us-[A-Za-z0-9_\-]{48})" + URL_END, keywords=["tk-us-"],
    sample=lambda: "tk-us-" + b64url(48), env_var="SCALINGO_API_TOKEN", entropy=3.5, severity="critical",
    aliases=["scalingo-api-token"], rotate="https://dashboard.scalingo.com/account/tokens",
    negatives=pneg("SCALINGO_API_TOKEN", "tk-us-", b64url(48), short=16)))
add(ctx_rule(
    "civo-api-key", "civo", "Civo API key (50 alphanumerics) beside a Civo key name",
    name=r"civo[\w.\-]{0,20}(?:token|api[_.\-]?key|key)", key="CIVO_TOKEN", value=ALNUM(50), entropy=4.0,
    keywords=["civo"], severity="critical", rotate="https://dashboard.civo.com/security"))
add(ctx_rule(
    "gcore-permanent-api-token", "gcore", "Gcore permanent API token (id$ + 128 hex) beside a Gcore token name",
    name=r"gcore[\w.\-]{0,20}(?:token|api[_.\-]?key|key)", key="GCORE_PERMANENT_API_TOKEN",
    value=fixed(r"[0-9]{1,10}\$[0-9a-f]{128}", lambda: digits(5) + "$" + hexs(128)), entropy=3.0,
    keywords=["gcore"], severity="critical", rotate="https://accounts.gcore.com/profile/api-tokens"))
add(ctx_rule(
    "equinix-metal-api-token", "equinix", "Equinix Metal (Packet) API token (32 alphanumerics) beside a Metal/Packet auth-token name",
    name=r"(?:equinix[\w.\-]{0,20}|metal[_.\-]?|packet[_.\-]?)(?:auth[_.\-]?|api[_.\-]?)token", key="METAL_AUTH_TOKEN",
    value=ALNUM(32), entropy=3.5,
    keywords=["equinix", "metal_auth", "metalauth", "metal-auth", "metal.auth", "packet_auth",
              "packetauth", "packet-auth", "packet.auth", "metal_api", "metalapi", "packet_api", "packetapi"],
    severity="critical", rotate="https://console.equinix.com/profile/api-keys"))
JWT_RE = r"eyJ[A-Za-z0-9_\-]{10,300}\.eyJ[A-Za-z0-9_\-]{20,3000}\.[A-Za-z0-9_\-]{200,1000}"


def jwt(header, payload, sig=86):
    return f"{b64url_nopad(header)}.{b64url_nopad(payload)}.{b64url(sig)}"


add(ctx_rule(
    "ionos-cloud-token", "ionos", "IONOS Cloud API token (JWT) beside an IONOS token name",
    name=r"ionos[\w.\-]{0,20}token", key="IONOS_TOKEN", value=Fmt(JWT_RE, lambda: jwt(
        '{"typ":"JWT","kid":"' + uuid4() + '","alg":"RS256"}',
        '{"iss":"ionoscloud","iat":' + digits(10) + ',"identity":{"contractNumber":' + digits(8) + ',"uuid":"' + uuid4() + '"}}', 342)),
    entropy=4.0, keywords=["ionos"], severity="critical", rotate="https://dcd.ionos.com/latest/#/key-management"))
add(ctx_rule(
    "openstack-application-credential-secret", "openstack",
    "OpenStack application credential secret beside an application_credential_secret name",
    name=r"(?:os[_.\-]?)?application[_.\-]?credential[_.\-]?secret", key="OS_APPLICATION_CREDENTIAL_SECRET",
    value=URLSAFE(86, lo=64), entropy=4.0,
    keywords=["application_credential_secret", "applicationcredentialsecret", "application-credential-secret",
              "application.credential.secret"],
    severity="critical", rotate="https://docs.openstack.org/keystone/latest/user/application_credentials.html"))
add(ctx_rule(
    "backblaze-b2-application-key", "backblaze",
    "Backblaze B2 application key (K + 3 digits + 27 characters, or a 42-hex master key) beside a B2 key name",
    name=r"(?:b2|backblaze)[\w.\-]{0,20}key", key="B2_APPLICATION_KEY",
    value=Fmt(r"(?:K[0-9]{3}[A-Za-z0-9+/]{27}|[0-9a-f]{42})", lambda: "K00" + digits(1) + b64(27)), entropy=3.0,
    keywords=["backblaze", "b2_app", "b2app", "b2-app", "b2.app", "b2_key", "b2key", "b2-key", "b2.key"],
    extra_examples=[f"B2_APPLICATION_KEY={hexs(42)}"],
    severity="critical", rotate="https://secure.backblaze.com/app_keys.htm"))

# =============================================================================== Parse/Back4App, Cloudinary, Yandex
add(ctx_rule(
    "back4app-master-key", "back4app",
    "Back4App / Parse Server master key (40 alphanumerics) beside a Parse master-key name",
    name=r"(?:back4app[\w.\-]{0,20}|x[_.\-]?parse[_.\-]?|parse[_.\-]?(?:server[_.\-]?)?)master[_.\-]?key",
    key="PARSE_MASTER_KEY", value=ALNUM(40), entropy=4.0,
    keywords=["back4app", "parse_master", "parsemaster", "parse-master", "parse.master", "parse_server_master",
              "parseservermaster", "parse-server-master", "parse.server.master"],
    severity="critical", rotate="https://dashboard.back4app.com/apps"))
add(ctx_rule(
    "back4app-rest-api-key", "back4app",
    "Back4App / Parse REST API key (40 alphanumerics) beside a Parse REST-key name",
    name=r"(?:back4app[\w.\-]{0,20}|x[_.\-]?parse[_.\-]?|parse[_.\-]?)rest[_.\-]?(?:api[_.\-]?)?key",
    key="PARSE_REST_API_KEY", value=ALNUM(40), entropy=4.0,
    keywords=["back4app", "parse_rest", "parserest", "parse-rest", "parse.rest"], severity="medium",
    rotate="https://dashboard.back4app.com/apps"))


def cld_url():
    return f"cloudinary://{digits(15)}:{b64url(27)}@{alnum_lower(8)}"


add(rule(
    "cloudinary-url", "cloudinary", "Cloudinary CLOUDINARY_URL with API key and secret (cloudinary://key:secret@cloud)",
    regex=r"cloudinary://[0-9]{15}:([A-Za-z0-9_\-]{27})@[A-Za-z0-9_\-]{1,64}", keywords=["cloudinary://"],
    examples=[f"CLOUDINARY_URL={cld_url()}", f"cloudinary_url: \"{cld_url()}\"", f"const url = '{cld_url()}';"],
    negative_examples=["CLOUDINARY_URL=cloudinary://<api_key>:<api_secret>@<cloud_name>",
                       "CLOUDINARY_URL=cloudinary://123456789012345:abcdefg@demo",
                       "Set CLOUDINARY_URL to cloudinary://API_KEY:API_SECRET@CLOUD_NAME."],
    severity="critical", entropy=3.5, env_var="CLOUDINARY_URL",
    rotate="https://console.cloudinary.com/settings/api-keys"))
add(ctx_rule(
    "cloudinary-api-secret", "cloudinary", "Cloudinary API secret (27 base64url) beside a Cloudinary secret name",
    name=r"cloudinary[\w.\-]{0,20}secret", key="CLOUDINARY_API_SECRET", value=URLSAFE(27), entropy=3.5,
    keywords=["cloudinary"], severity="critical", rotate="https://console.cloudinary.com/settings/api-keys"))
YC_ROT = "https://console.yandex.cloud/iam"
add(prefix_rule(
    "yandex-cloud-api-key", "yandex", "Yandex Cloud API key (AQVN prefix)",
    regex=r"\b(AQVN[A-Za-z0-9_\-]{35,38})" + URL_END, keywords=["aqvn"], sample=lambda: "AQVN" + b64url(36),
    env_var="YC_API_KEY", entropy=3.5, severity="critical", aliases=["yandex-api-key"], rotate=YC_ROT,
    negatives=pneg("YC_API_KEY", "AQVN", b64url(36), short=12)))
add(prefix_rule(
    "yandex-cloud-static-access-key-id", "yandex", "Yandex Cloud static access key ID (YCAJ prefix, 25 characters)",
    regex=r"\b(YCAJ[A-Za-z0-9_\-]{21})" + URL_END, keywords=["ycaj"], sample=lambda: "YCAJ" + b64url(21),
    env_var="AWS_ACCESS_KEY_ID", entropy=3.5, severity="medium", rotate=YC_ROT,
    negatives=pneg("AWS_ACCESS_KEY_ID", "YCAJ", b64url(21), short=8)))
add(ctx_rule(
    "yandex-cloud-static-secret-key", "yandex",
    "Yandex Cloud static access key secret (YC + 38 characters) beside a secret-key name",
    name=r"(?:yandex|\byc|aws|s3)[\w.\-]{0,20}secret(?:[_.\-]?(?:access[_.\-]?)?key)?", key="AWS_SECRET_ACCESS_KEY",
    value=fixed(r"YC[A-Za-z0-9_\-]{38}", lambda: "YC" + _R.choice("MNOP") + b64url(37)), entropy=4.0,
    keywords=["yandex", "yc_secret", "ycsecret", "yc-secret", "yc.secret", "yc_storage", "ycstorage", "yc_s3", "aws_secret", "awssecret", "aws-secret", "aws.secret", "s3_secret", "s3secret", "s3-secret"],
    severity="critical", aliases=["yandex-aws-access-token"], rotate=YC_ROT))
add(ctx_rule(
    "yandex-cloud-iam-token", "yandex", "Yandex Cloud IAM token (t1. prefix) beside a Yandex / IAM token name",
    name=r"(?:yandex[\w.\-]{0,20}|\byc[_.\-]?|iam[_.\-]?)token", key="YC_IAM_TOKEN",
    value=Fmt(r"t1\.[A-Za-z0-9_\-]{20,200}={0,2}\.[A-Za-z0-9_\-]{86}={0,2}",
              lambda: "t1." + b64url(74) + "." + b64url(86)), entropy=4.0,
    keywords=["yandex", "yc_iam", "yciam", "yc-iam", "yc.iam", "iam_token", "iamtoken", "iam-token", "iam.token"],
    aliases=["yandex-access-token"], rotate=YC_ROT))
add(ctx_rule(
    "yandex-oauth-token", "yandex", "Yandex OAuth token (y0_ prefix) beside a Yandex token name",
    name=r"yandex[\w.\-]{0,20}(?:oauth[_.\-]?)?token", key="YANDEX_OAUTH_TOKEN",
    value=Fmt(r"y0_[A-Za-z0-9_\-]{50,70}", lambda: "y0_Ag" + b64url(53)), entropy=4.0,
    keywords=["yandex"], rotate="https://oauth.yandex.com/"))

# =============================================================================== Kubernetes


def k8s_legacy_sa():
    ns = _R.choice(["default", "kube-system", "ci"])
    payload = ('{"iss":"kubernetes/serviceaccount","kubernetes.io/serviceaccount/namespace":"' + ns
               + '","kubernetes.io/serviceaccount/secret.name":"deployer-token-' + alnum_lower(5)
               + '","kubernetes.io/serviceaccount/service-account.name":"deployer",'
               + '"kubernetes.io/serviceaccount/service-account.uid":"' + uuid4()
               + '","sub":"system:serviceaccount:' + ns + ':deployer"}')
    return jwt('{"alg":"RS256","kid":"' + b64url(43) + '"}', payload, 342)


add(prefix_rule(
    "kubernetes-service-account-token-legacy", "kubernetes",
    "Kubernetes service-account token from a legacy token Secret (JWT issued by kubernetes/serviceaccount)",
    regex=r"\b(eyJhbGciOiJSUzI1NiIs[A-Za-z0-9_\-]{10,300}\.eyJpc3MiOiJrdWJlcm5ldGVzL3NlcnZpY2VhY2NvdW50Ii[A-Za-z0-9_\-]{50,3000}\.[A-Za-z0-9_\-]{80,1000})" + URL_END,
    keywords=["eyjpc3mioijrdwjlcm5ldgvzl3nlcnzpy2vhy2nvdw50ii"], sample=k8s_legacy_sa,
    env_var="KUBE_TOKEN", entropy=4.5, severity="critical",
    rotate="https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/",
    negatives=["KUBE_TOKEN=$(kubectl create token deployer)",
               "KUBE_TOKEN=eyJhbGciOiJSUzI1NiIsImtpZCI6IiJ9.eyJpc3MiOiJrdWJlcm5ldGVzL3NlcnZpY2VhY2NvdW50Iiwi.",
               "KUBE_TOKEN=<service-account-token>",
               "Legacy tokens decode to {\"iss\":\"kubernetes/serviceaccount\", ...}."]))


def k8s_bound():
    payload = ('{"aud":["https://kubernetes.default.svc.cluster.local"],"exp":' + digits(10) + ',"iat":'
               + digits(10) + ',"iss":"https://kubernetes.default.svc.cluster.local","kubernetes.io":{"namespace":"ci",'
               + '"serviceaccount":{"name":"deployer","uid":"' + uuid4() + '"}},"nbf":' + digits(10)
               + ',"sub":"system:serviceaccount:ci:deployer"}')
    return jwt('{"alg":"RS256","kid":"' + b64url(43) + '"}', payload, 342)


add(ctx_rule(
    "kubernetes-service-account-token", "kubernetes",
    "Kubernetes service-account bearer token (RS256 JWT) beside a Kubernetes token name",
    name=r"(?:kube(?:rnetes)?|k8s)[\w.\-]{0,25}(?:token|jwt)", key="KUBE_TOKEN",
    value=Fmt(r"eyJhbGciOiJSUzI1NiIs[A-Za-z0-9_\-]{10,300}\.eyJ[A-Za-z0-9_\-]{50,3000}\.[A-Za-z0-9_\-]{200,1000}", k8s_bound),
    entropy=4.5, keywords=["eyjhbgcioijsuzi1niis"], severity="critical",
    rotate="https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/"))


def kubeadm():
    return f"kubeadm join 10.0.0.{digits(2)}:6443 --token {alnum_lower(6)}.{alnum_lower(16)} --discovery-token-ca-cert-hash sha256:{hexs(64)}"


add(rule(
    "kubernetes-bootstrap-token", "kubernetes", "Kubernetes bootstrap token in a kubeadm join/init command (--token id.secret)",
    regex=r"kubeadm\s[^\n]{0,300}?--token[=\s]{1,3}[\"']?([a-z0-9]{6}\.[a-z0-9]{16})\b",
    keywords=["kubeadm"], examples=[kubeadm(), f"RUN {kubeadm()}", f"  - kubeadm init --token={alnum_lower(6)}.{alnum_lower(16)} --token-ttl 0"],
    negative_examples=["kubeadm join 10.0.0.1:6443 --token <token> --discovery-token-ca-cert-hash sha256:<hash>",
                       "kubeadm join 10.0.0.1:6443 --token abcdef.0123456789abcdef",
                       "kubeadm join 10.0.0.1:6443 --token ${KUBEADM_TOKEN}",
                       "kubeadm token create prints a token of the form [a-z0-9]{6}.[a-z0-9]{16}"],
    severity="high", entropy=3.0, env_var="KUBEADM_TOKEN",
    rotate="https://kubernetes.io/docs/reference/access-authn-authz/bootstrap-tokens/"))


# =============================================================================== deploy hooks, more hosting/storage
add(prefix_rule(
    "netlify-personal-access-token", "netlify", "Netlify personal access token (nfp_ prefix)",
    regex=r"\b(nfp_[A-Za-z0-9]{36,40})\b", keywords=["nfp_"], sample=lambda: "nfp_" + b62(36),
    env_var="NETLIFY_AUTH_TOKEN", entropy=3.5, severity="critical", aliases=["netlify-access-token"],
    rotate="https://app.netlify.com/user/applications#personal-access-tokens",
    negatives=pneg("NETLIFY_AUTH_TOKEN", "nfp_", b62(36), short=12)))


def hook_rule(id, provider, description, regex, keyword, url, env, rotate, bad):
    add(rule(id, provider, description, regex=regex, keywords=[keyword],
             examples=[f"{env}={url()}", f"curl -X POST -d {{}} {url()}", f"  deploy_hook: \"{url()}\""],
             negative_examples=bad, severity="high", confidence="high", entropy=2.5, env_var=env,
             rotate=rotate))


hook_rule("netlify-build-hook-url", "netlify", "Netlify build hook URL (api.netlify.com/build_hooks/<24 hex>)",
          r"api\.netlify\.com/build_hooks/([0-9a-f]{24})\b", "api.netlify.com/build_hooks",
          lambda: f"https://api.netlify.com/build_hooks/{hexs(24)}", "NETLIFY_BUILD_HOOK",
          "https://docs.netlify.com/configure-builds/build-hooks/",
          ["NETLIFY_BUILD_HOOK=https://api.netlify.com/build_hooks/<hook-id>",
           "NETLIFY_BUILD_HOOK=https://api.netlify.com/build_hooks/" + hexs(12),
           "Build hooks are POST endpoints under api.netlify.com/build_hooks."])
hook_rule("vercel-deploy-hook-url", "vercel", "Vercel deploy hook URL (api.vercel.com/v1/integrations/deploy/prj_…/…)",
          r"api\.vercel\.com/v1/integrations/deploy/prj_[A-Za-z0-9]{20,40}/([A-Za-z0-9]{8,32})\b",
          "api.vercel.com/v1/integrations/deploy", lambda: f"https://api.vercel.com/v1/integrations/deploy/prj_{b62(28)}/{b62(10)}",
          "VERCEL_DEPLOY_HOOK", "https://vercel.com/docs/deployments/deploy-hooks",
          ["VERCEL_DEPLOY_HOOK=https://api.vercel.com/v1/integrations/deploy/prj_<id>/<hook>",
           "VERCEL_DEPLOY_HOOK=https://api.vercel.com/v1/integrations/deploy/prj_" + b62(28),
           "Deploy hooks live under api.vercel.com/v1/integrations/deploy."])
hook_rule("cloudflare-pages-deploy-hook-url", "cloudflare",
          "Cloudflare Pages deploy hook URL (…/pages/webhooks/deploy_hooks/<uuid>)",
          r"api\.cloudflare\.com/client/v4/pages/webhooks/deploy_hooks/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b",
          "/pages/webhooks/deploy_hooks/", lambda: f"https://api.cloudflare.com/client/v4/pages/webhooks/deploy_hooks/{uuid4()}",
          "CF_PAGES_DEPLOY_HOOK", "https://developers.cloudflare.com/pages/configuration/deploy-hooks/",
          ["CF_PAGES_DEPLOY_HOOK=https://api.cloudflare.com/client/v4/pages/webhooks/deploy_hooks/<hook-id>",
           "CF_PAGES_DEPLOY_HOOK=https://api.cloudflare.com/client/v4/pages/webhooks/deploy_hooks/1234",
           "Deploy hooks are under api.cloudflare.com/client/v4/pages/webhooks/deploy_hooks/."])
add(ctx_rule(
    "azure-container-registry-password", "azure",
    "Azure Container Registry admin / token password (32 characters, legacy format) beside an ACR password name",
    name=r"(?:acr|azure[_.\-]?container[_.\-]?registry|container[_.\-]?registry)[\w.\-]{0,20}pass(?:word)?",
    key="ACR_PASSWORD", value=Fmt(r"[A-Za-z0-9+/=]{32}", lambda: b64(31) + "="), entropy=4.0,
    keywords=["acr_", "acr-", "acr.", "acrpass", "container_registry", "containerregistry", "container-registry",
              "container.registry"],
    rotate=AZ_PORTAL + "#browse/Microsoft.ContainerRegistry%2Fregistries"))
add(ctx_rule(
    "imagekit-private-key", "imagekit", "ImageKit private API key (private_ prefix) beside an ImageKit key name",
    name=r"imagekit[\w.\-]{0,20}(?:private[_.\-]?)?key", key="IMAGEKIT_PRIVATE_KEY",
    value=Fmt(r"private_[A-Za-z0-9+/]{27}=", lambda: "private_" + b64(27) + "="), entropy=3.5,
    keywords=["imagekit"], severity="critical", rotate="https://imagekit.io/dashboard/developer/api-keys"))
add(ctx_rule(
    "uploadcare-secret-key", "uploadcare", "Uploadcare secret API key (20 hex) beside an Uploadcare secret name",
    name=r"uploadcare[\w.\-]{0,20}secret(?:[_.\-]?key)?", key="UPLOADCARE_SECRET_KEY", value=HEX(20), entropy=2.5,
    keywords=["uploadcare"], severity="critical", rotate="https://app.uploadcare.com/projects/-/api-keys/"))
add(ctx_rule(
    "storj-access-grant", "storj", "Storj access grant (base58, serialized macaroon and encryption key) beside a Storj access name",
    name=r"storj[\w.\-]{0,20}(?:access(?:[_.\-]?grant)?|grant|token)", key="STORJ_ACCESS_GRANT",
    value=Fmt(r"1[1-9A-HJ-NP-Za-km-z]{200,1200}", lambda: "1" + rand("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz", 320)),
    entropy=4.5, keywords=["storj"], severity="critical", rotate="https://storj.dev/dcs/access"))
add(ctx_rule(
    "wasabi-secret-access-key", "wasabi", "Wasabi secret access key (40 characters) beside a Wasabi secret name",
    name=r"wasabi[\w.\-]{0,20}secret(?:[_.\-]?(?:access[_.\-]?)?key)?", key="WASABI_SECRET_ACCESS_KEY",
    value=B64CHARS(40), entropy=4.0, keywords=["wasabi"], severity="critical",
    rotate="https://console.wasabisys.com/access_keys"))
add(ctx_rule(
    "pinata-api-secret", "pinata", "Pinata (IPFS) API secret (64 hex) beside a Pinata secret name",
    name=r"pinata[\w.\-]{0,20}(?:api[_.\-]?)?secret(?:[_.\-]?(?:api[_.\-]?)?key)?", key="PINATA_SECRET_API_KEY",
    value=HEX(64), keywords=["pinata"], severity="critical", rotate="https://app.pinata.cloud/developers/api-keys"))
add(ctx_rule(
    "portainer-access-token", "portainer", "Portainer API access token (ptr_ prefix) beside a Portainer token name",
    name=r"portainer[\w.\-]{0,20}(?:token|api[_.\-]?key|access[_.\-]?key)", key="PORTAINER_API_KEY",
    value=Fmt(r"ptr_[A-Za-z0-9+/=_\-]{32,60}", lambda: "ptr_" + b64(43) + "="), entropy=4.0,
    keywords=["portainer"], severity="critical",
    rotate="https://docs.portainer.io/api/access"))
add(ctx_rule(
    "rancher-api-token", "rancher", "Rancher API bearer token (token-xxxxx:secret) beside a Rancher token name",
    name=r"(?:rancher|cattle)[\w.\-]{0,20}(?:token|bearer|secret[_.\-]?key)", key="RANCHER_TOKEN",
    value=Fmt(r"token-[a-z0-9]{5}:[a-z0-9]{54}", lambda: f"token-{alnum_lower(5)}:{alnum_lower(54)}"),
    entropy=3.5, keywords=["rancher", "cattle"], severity="critical",
    rotate="https://ranchermanager.docs.rancher.com/reference-guides/user-settings/api-keys"))
add(prefix_rule(
    "openshift-user-token", "openshift", "OpenShift OAuth access token (sha256~ prefix)",
    regex=r"\b(sha256~[A-Za-z0-9_\-]{43})" + URL_END, keywords=["sha256~"], sample=lambda: "sha256~" + b64url(43),
    env_var="OPENSHIFT_TOKEN", entropy=3.5, severity="critical", aliases=["openshift-user-token"],
    rotate="https://docs.openshift.com/container-platform/latest/authentication/managing-oauth-access-tokens.html",
    negatives=pneg("OPENSHIFT_TOKEN", "sha256~", b64url(43), short=20,
                   extra=["oc login --token=sha256~xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"])))


def swarm():
    return f"SWMTKN-1-{alnum_lower(50)}-{alnum_lower(25)}"


add(prefix_rule(
    "docker-swarm-join-token", "docker", "Docker Swarm join token (SWMTKN-1- + 50 + 25 base36)",
    regex=r"\b(SWMTKN-1-[0-9a-z]{50}-[0-9a-z]{25})\b", keywords=["swmtkn-1-"], sample=swarm,
    env_var="SWARM_JOIN_TOKEN", entropy=3.5, severity="critical",
    rotate="https://docs.docker.com/reference/cli/docker/swarm/join-token/",
    negatives=pneg("SWARM_JOIN_TOKEN", "SWMTKN-1-", alnum_lower(50), short=30,
                   extra=["docker swarm join --token SWMTKN-1-<worker-token> 10.0.0.1:2377"])))


def enc_config():
    return ("apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n  - resources:\n"
            "      - secrets\n    providers:\n      - aescbc:\n          keys:\n            - name: key1\n"
            f"              secret: {b64(43)}=\n      - identity: {{}}\n")


add(rule(
    "kubernetes-encryption-config-key", "kubernetes",
    "Kubernetes API server encryption-at-rest key (aescbc/aesgcm/secretbox secret in an EncryptionConfiguration)",
    regex=r"(?s)kind:\s{0,3}EncryptionConfiguration\b.{0,2000}?(?:aescbc|aesgcm|secretbox):.{0,400}?\bsecret:\s{0,3}[\"']?([A-Za-z0-9+/]{43}=)",
    keywords=["encryptionconfiguration"], examples=[enc_config(), enc_config().replace("aescbc", "secretbox")],
    negative_examples=[enc_config().split("secret: ")[0] + "secret: <BASE64 ENCODED SECRET>\n",
                       enc_config().split("secret: ")[0] + "secret: ${ENCRYPTION_KEY}\n",
                       "kind: EncryptionConfiguration\nresources:\n  - providers:\n      - identity: {}\n"],
    severity="critical", entropy=4.0, window=4096, env_var="ENCRYPTION_KEY",
    rotate="https://kubernetes.io/docs/tasks/administer-cluster/encrypt-data/#rotating-a-decryption-key"))


def k3s():
    return f"K10{hexs(64)}::server:{hexs(32)}"


add(prefix_rule(
    "k3s-cluster-token", "k3s", "K3s / RKE2 cluster join token in the secure format (K10<CA hash>::server:<secret>)",
    regex=r"\b(K10[0-9a-f]{64}::(?:server|node):[A-Za-z0-9]{8,64})\b", keywords=["::server:", "::node:"],
    sample=k3s, env_var="K3S_TOKEN", entropy=3.0, severity="critical",
    rotate="https://docs.k3s.io/cli/token#rotate",
    negatives=["K3S_TOKEN=${K3S_TOKEN}", "K3S_TOKEN=K10<hash>::server:<password>",
               f"K3S_TOKEN=K10{hexs(32)}::server:{hexs(32)}",
               "Secure tokens look like K10<CA-HASH>::server:<PASSWORD>."]))
add(ctx_rule(
    "coolify-api-token", "coolify", "Coolify API token (id|40 characters) beside a Coolify token name",
    name=r"coolify[\w.\-]{0,20}(?:token|api[_.\-]?key)", key="COOLIFY_TOKEN",
    value=Fmt(r"[0-9]{1,8}\|[A-Za-z0-9]{40}", lambda: digits(2) + "|" + b62(40)), entropy=3.5,
    keywords=["coolify"], severity="critical", rotate="https://coolify.io/docs/api-reference/authorization"))
add(ctx_rule(
    "minio-secret-key", "minio", "MinIO secret key / root password beside a MinIO secret name",
    name=r"minio[\w.\-]{0,20}(?:secret[_.\-]?key|root[_.\-]?password|secret)", key="MINIO_SECRET_KEY",
    value=Fmt(r"[A-Za-z0-9+/=_\-]{24,64}", lambda: b64(40)), entropy=4.0, keywords=["minio"],
    severity="high", rotate="https://min.io/docs/minio/linux/administration/identity-access-management/minio-user-management.html"))

add(ctx_rule(
    "truenas-api-key", "truenas", "TrueNAS API key (<id>-<64 alphanumerics>) beside a TrueNAS key name",
    name=r"truenas[\w.\-]{0,20}(?:api[_.\-]?)?key", key="TRUENAS_API_KEY",
    value=Fmt(r"[0-9]{1,6}-[A-Za-z0-9]{64}", lambda: digits(1) + "-" + b62(64)), entropy=4.0,
    keywords=["truenas"], severity="critical", rotate="https://www.truenas.com/docs/scale/scaletutorials/toptoolbar/managingapikeys/"))
add(ctx_rule(
    "zerotier-api-token", "zerotier", "ZeroTier Central API token (32 alphanumerics) beside a ZeroTier token name",
    name=r"zerotier[\w.\-]{0,20}(?:api[_.\-]?)?(?:token|key)|\bzt[_.\-]?central[_.\-]?(?:api[_.\-]?)?(?:token|key)",
    key="ZEROTIER_CENTRAL_TOKEN", value=ALNUM(32), entropy=3.5,
    keywords=["zerotier", "zt_central", "ztcentral", "zt-central", "zt.central"], severity="critical",
    rotate="https://my.zerotier.com/account"))


def amplify_hook():
    return (f"https://webhooks.amplify.eu-west-1.amazonaws.com/prod/webhooks?id={uuid4()}"
            f"&token={b62(43)}&operation=startbuild")


add(rule(
    "aws-amplify-webhook-url", "aws", "AWS Amplify incoming build webhook URL with its token (webhooks.amplify.…amazonaws.com …token=)",
    regex=r"webhooks\.amplify\.[a-z0-9\-]{1,30}\.amazonaws\.com/prod/webhooks\?[^\s\"'<>]{0,120}?\btoken=([A-Za-z0-9%_\-]{20,120})" + URL_END,
    keywords=["webhooks.amplify."], examples=[f"AMPLIFY_WEBHOOK={amplify_hook()}", f"curl -X POST -d {{}} \"{amplify_hook()}\""],
    negative_examples=["AMPLIFY_WEBHOOK=https://webhooks.amplify.eu-west-1.amazonaws.com/prod/webhooks?id=<id>&token=<token>",
                       "AMPLIFY_WEBHOOK=https://webhooks.amplify.eu-west-1.amazonaws.com/prod/webhooks?id=" + uuid4(),
                       "Amplify webhooks are served from webhooks.amplify.<region>.amazonaws.com."],
    severity="high", confidence="high", entropy=3.5, env_var="AMPLIFY_WEBHOOK",
    rotate="https://docs.aws.amazon.com/amplify/latest/userguide/webhooks.html"))

# Publicly documented test/emulator values are not leaks.
COSMOS_EMULATOR = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw=="
RECAPTCHA_TEST_SECRET = "6LeIxAcTAAAAAGG-vFI1TnRWxMZNFuojJ4WifJWe"
for r in rules:
    if r["id"] == "azure-cosmosdb-key":
        r["allowlists"] = [{"regexTarget": "secret", "regexes": ["^" + re.escape(COSMOS_EMULATOR) + "$"]}]
        r["negative_examples"].append("COSMOS_KEY=" + COSMOS_EMULATOR)
    if r["id"] == "google-recaptcha-secret-key":
        r["allowlists"] = [{"regexTarget": "secret", "regexes": ["^" + re.escape(RECAPTCHA_TEST_SECRET) + "$"]}]
        r["negative_examples"].append("RECAPTCHA_SECRET_KEY=" + RECAPTCHA_TEST_SECRET)

# kubeconfig user tokens belong to the credential-container pack (rules-credentials-keys-db:
# kubeconfig-user-token), not here.


# =============================================================================== emit
HAND_CONFIDENCE = {
    "aws-access-key-id": "high", "google-cloud-api-key": "high", "gcp-service-account-private-key": "high",
    "google-oauth-client-secret": "high", "google-oauth-refresh-token": "high", "google-oauth-access-token": "high",
    "azure-sas-token": "high", "azure-entra-client-secret": "high", "digitalocean-personal-access-token": "high",
    "digitalocean-oauth-token": "high", "digitalocean-refresh-token": "high", "heroku-api-key-v2": "high",
    "alibaba-access-key-id": "high", "cloudflare-origin-ca-key": "high", "flyio-macaroon-token": "high",
    "flyio-org-token": "high", "tencent-cloud-secret-id": "high", "azure-storage-account-key": "medium",
    "azure-shared-access-key": "medium",
}
HAND_ALIASES = {
    "aws-access-key-id": ["aws-access-token"], "google-cloud-api-key": ["gcp-api-key"],
    "azure-entra-client-secret": ["azure-ad-client-secret"],
    "digitalocean-personal-access-token": ["digitalocean-pat"],
    "digitalocean-oauth-token": ["digitalocean-access-token"],
    "digitalocean-refresh-token": ["digitalocean-refresh-token"], "heroku-api-key": ["heroku-api-key"],
    "heroku-api-key-v2": ["heroku-api-key-v2"], "alibaba-access-key-id": ["alibaba-access-key-id"],
    "alibaba-access-key-secret": ["alibaba-secret-key"], "cloudflare-api-token": ["cloudflare-api-key"],
    "cloudflare-global-api-key": ["cloudflare-global-api-key"], "cloudflare-origin-ca-key": ["cloudflare-origin-ca-key"],
    "fastly-api-token": ["fastly-api-token"], "netlify-access-token": ["netlify-access-token"],
    "flyio-macaroon-token": ["flyio-access-token"], "flyio-org-token": ["flyio-access-token"],
}


def hand_rules():
    with open(os.path.join(HERE, "cloud_hand.toml"), "rb") as f:
        doc = tomllib.load(f)
    out = []
    for r in doc["rules"]:
        x = Rule(id=r["id"], description=r["description"], provider=r["provider"], severity=r["severity"],
                 confidence=r.get("confidence", HAND_CONFIDENCE.get(r["id"], "medium")),
                 keywords=r["keywords"], regex=r.get("regex"), secretGroup=r.get("secretGroup", 1),
                 entropy=r.get("entropy"), env_var=r.get("env_var"), rotate=r.get("rotate"),
                 aliases=r.get("aliases", HAND_ALIASES.get(r["id"], [])), checksum=r.get("checksum"),
                 window=r.get("window"), path=r.get("path"), examples=r["examples"],
                 negative_examples=r["negative_examples"])
        x["allowlists"] = r.get("allowlists", [])
        out.append(reskeleton(x))
    return out


def render_full(r):
    text = render(r)
    for al in r.get("allowlists", []):
        text += "\n[[rules.allowlists]]"
        if "regexTarget" in al:
            text += f"\nregexTarget = {json.dumps(al['regexTarget'])}"
        text += "\nregexes = [" + ", ".join(f"'''{x}'''" for x in al.get("regexes", [])) + "]"
    return text


def main():
    hand = hand_rules()
    every = hand + rules
    ids = [r["id"] for r in every]
    dup = {i for i in ids if ids.count(i) > 1}
    assert not dup, f"duplicate rule ids: {sorted(dup)}"
    print("# leakless built-in rules: cloud providers, hosting platforms, CDNs and Kubernetes.")
    print("# Format: gitleaks v8 rules plus leakless fields (provider, severity, confidence, env_var, rotate, examples).")
    print("# Generated by scripts/rulegen/cloud.py (hand-written rules are read back from")
    print("# scripts/rulegen/cloud_hand.toml); example values are random fakes drawn from each format.")
    for r in sorted(every, key=lambda r: r["id"]):
        print()
        print(render_full(r))
    print(f"# {len(rules)} generated + {len(hand)} hand-written rules", file=sys.stderr)


if __name__ == "__main__":
    main()
