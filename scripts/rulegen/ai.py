"""Spec of rules/ai.toml: AI / ML platforms (LLM APIs, model hubs, inference clouds, vector DBs,
LLM tooling, speech and search APIs used by agents).

Regenerate every pack with `python3 scripts/rulegen/regen.py`: it runs this spec and moves each
rule to the pack of its provider's category (`PACK_OF` in regen.py), so some rules written here
live in another pack.

Run `python3 scripts/rulegen/regen.py` (hand-written rules are read from scripts/rulegen/hand/ai.toml) and then `leakless rules check rules/ai.toml`. Patterns follow each provider's documented
token format; example values are random fakes. Google Gemini / AI Studio keys (AIza…) and Azure
OpenAI keys belong to cloud.toml.
"""

import base64
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from rulegen import (  # noqa: E402
    ALNUM, HEX, PREFIXED, UUID, URLSAFE, Fmt, alnum_lower, alnum_upper, b62, b64url,
    ctx_rule, hexs, prefix_rule, rand, reseed, rule, uuid4, LOWER,
)
from pam_common import generate, pnegs  # noqa: E402

reseed(0xA1A1)

UUID_RE = UUID().regex
MODAL_KW = ["modal_token", "modal-token", "modal.token", "modaltoken"]
DIFY_KW = [f"dify{s}{w}" for s in ("_", "-", ".", "") for w in ("api", "key", "token")]
STAB_KW = [f"stability{s}{w}" for s in ("_", "-", ".", "") for w in ("api", "key", "ai")]
R = []


def neptune_token():
    doc = {"api_address": "https://app.neptune.ai", "api_url": "https://app.neptune.ai",
           "api_key": uuid4()}
    return base64.b64encode(json.dumps(doc, separators=(",", ":")).encode()).decode()


def helicone_groups():
    return "-".join(alnum_lower(7) for _ in range(4))


# ---------------------------------------------------------------- LLM APIs
R += [
    prefix_rule(
        "anthropic-oauth-access-token", "anthropic",
        "Anthropic OAuth access token (sk-ant-oat01-; Claude Code / claude setup-token)",
        regex=r"\b(sk-ant-oat01-[A-Za-z0-9_\-]{80,120})(?:[^A-Za-z0-9_\-]|$)",
        keywords=["sk-ant-oat01-"], sample=lambda: "sk-ant-oat01-" + b64url(93) + "AA",
        env_var="CLAUDE_CODE_OAUTH_TOKEN", severity="critical", entropy=4.0,
        rotate="https://claude.ai/settings/claude-code",
        negatives=pnegs("CLAUDE_CODE_OAUTH_TOKEN", "sk-ant-oat01-", lambda: "sk-ant-oat01-" + b64url(95))),
    prefix_rule(
        "anthropic-oauth-refresh-token", "anthropic", "Anthropic OAuth refresh token (sk-ant-ort01-)",
        regex=r"\b(sk-ant-ort01-[A-Za-z0-9_\-]{80,120})(?:[^A-Za-z0-9_\-]|$)",
        keywords=["sk-ant-ort01-"], sample=lambda: "sk-ant-ort01-" + b64url(93) + "AA",
        env_var="ANTHROPIC_REFRESH_TOKEN", severity="critical", entropy=4.0,
        rotate="https://claude.ai/settings/claude-code",
        negatives=pnegs("ANTHROPIC_REFRESH_TOKEN", "sk-ant-ort01-", lambda: "sk-ant-ort01-" + b64url(95))),
    prefix_rule(
        "openai-session-key", "openai", "OpenAI / ChatGPT web session key (sess-)",
        regex=r"\b(sess-[A-Za-z0-9]{40})\b", keywords=["sess-"],
        sample=lambda: "sess-" + b62(40), env_var="OPENAI_SESSION_KEY", severity="medium",
        entropy=4.0, rotate="https://platform.openai.com/account/api-keys",
        negatives=pnegs("OPENAI_SESSION_KEY", "sess-", lambda: "sess-" + b62(40),
                        "redis key prefix: sess-userprofile-cache-entries-and-more-here")),
    prefix_rule(
        "together-ai-api-key-v1", "together", "Together AI API key (tgp_v1_)",
        regex=r"\b(tgp_v1_[A-Za-z0-9_\-]{40,50})(?:[^A-Za-z0-9_\-]|$)", keywords=["tgp_v1_"],
        sample=lambda: "tgp_v1_" + b64url(43), env_var="TOGETHER_API_KEY", entropy=4.0,
        rotate="https://api.together.ai/settings/api-keys",
        negatives=pnegs("TOGETHER_API_KEY", "tgp_v1_", lambda: "tgp_v1_" + b64url(43))),
    ctx_rule("fireworks-api-key", "fireworks", "Fireworks AI API key (fw_ + key next to fireworks)",
             name=r"fireworks[\w.\-]{0,20}(?:key|token|secret)", key="FIREWORKS_API_KEY",
             value=Fmt(r"fw_[A-Za-z0-9]{24,48}", lambda: "fw_" + b62(33)), entropy=4.0,
             rotate="https://fireworks.ai/account/api-keys"),
    prefix_rule(
        "cerebras-api-key", "cerebras", "Cerebras inference API key (csk-)",
        regex=r"\b(csk-[a-z0-9]{48})\b", keywords=["csk-"],
        sample=lambda: "csk-" + alnum_lower(48), env_var="CEREBRAS_API_KEY", entropy=4.0,
        rotate="https://cloud.cerebras.ai/platform/",
        negatives=pnegs("CEREBRAS_API_KEY", "csk-", lambda: "csk-" + alnum_lower(48))),
    prefix_rule(
        "nvidia-api-key", "nvidia", "NVIDIA API catalog / NGC API key (nvapi-)",
        regex=r"\b(nvapi-[A-Za-z0-9_\-]{64})(?:[^A-Za-z0-9_\-]|$)", keywords=["nvapi-"],
        sample=lambda: "nvapi-" + b64url(64), env_var="NVIDIA_API_KEY", entropy=4.0,
        rotate="https://org.ngc.nvidia.com/setup/api-keys",
        negatives=pnegs("NVIDIA_API_KEY", "nvapi-", lambda: "nvapi-" + b64url(64))),
    ctx_rule("ai21-api-key", "ai21", "AI21 Labs API key (32 alphanumerics next to ai21)",
             name=r"ai21[\w.\-]{0,20}(?:key|token)", key="AI21_API_KEY", value=ALNUM(32),
             entropy=4.0, rotate="https://studio.ai21.com/account/api-key"),
    ctx_rule("anyscale-api-key", "anyscale", "Anyscale Endpoints API key (esecret_ next to anyscale)",
             name=r"anyscale[\w.\-]{0,20}(?:key|token)", key="ANYSCALE_API_KEY",
             value=Fmt(r"esecret_[A-Za-z0-9]{20,40}", lambda: "esecret_" + alnum_lower(26)),
             rotate="https://console.anyscale.com/credentials"),
    ctx_rule("moonshot-api-key", "moonshot", "Moonshot AI (Kimi) API key (sk- + 48 next to moonshot/kimi)",
             name=r"moonshot[\w.\-]{0,20}(?:key|token)|kimi[_.\-]?(?:api[_.\-]?)?(?:key|token)", key="MOONSHOT_API_KEY",
             value=PREFIXED("sk-", ALNUM(48)), entropy=4.0,
             keywords=["moonshot"] + [f"kimi{s}{w}" for s in ("_", "-", ".", "") for w in ("api", "key", "token")],
             rotate="https://platform.moonshot.ai/console/api-keys"),
    ctx_rule("zhipu-api-key", "zhipu", "Zhipu AI (BigModel / GLM) API key (id.secret next to zhipu)",
             name=r"(?:zhipu|bigmodel|glm)[\w.\-]{0,20}(?:key|token)", key="ZHIPUAI_API_KEY",
             value=Fmt(r"[0-9a-f]{32}\.[A-Za-z0-9]{16}", lambda: hexs(32) + "." + b62(16)),
             keywords=["zhipu", "bigmodel", "glm_", "glm-"], entropy=3.5,
             rotate="https://open.bigmodel.cn/usercenter/apikeys"),
    ctx_rule("dashscope-api-key", "alibaba", "Alibaba Cloud Model Studio / DashScope (Qwen) API key (sk- + 32 hex)",
             name=r"dashscope[\w.\-]{0,20}(?:key|token)|qwen[_.\-]?api[_.\-]?key", key="DASHSCOPE_API_KEY",
             value=PREFIXED("sk-", HEX(32)), keywords=["dashscope", "qwen_api", "qwen-api", "qwen.api", "qwenapi"],
             rotate="https://bailian.console.aliyun.com/?apiKey=1"),
    ctx_rule("siliconflow-api-key", "siliconflow", "SiliconFlow API key (sk- + 48 lower-case letters next to siliconflow)",
             name=r"silicon[_.\-]?flow[\w.\-]{0,20}(?:key|token)", key="SILICONFLOW_API_KEY",
             value=Fmt(r"sk-[a-z]{48}", lambda: "sk-" + rand(LOWER, 48)),
             keywords=["siliconflow", "silicon_flow", "silicon-flow"], entropy=3.8,
             rotate="https://cloud.siliconflow.cn/account/ak"),
    ctx_rule("deepinfra-api-key", "deepinfra", "DeepInfra API token (32 alphanumerics next to deepinfra)",
             name=r"deep[_.\-]?infra[\w.\-]{0,20}(?:key|token)", key="DEEPINFRA_API_KEY", value=ALNUM(32),
             keywords=["deepinfra", "deep_infra", "deep-infra"], entropy=4.0,
             rotate="https://deepinfra.com/dash/api_keys"),
    ctx_rule("sambanova-api-key", "sambanova", "SambaNova Cloud API key (UUID next to sambanova)",
             name=r"sambanova[\w.\-]{0,20}(?:key|token)", key="SAMBANOVA_API_KEY", value=UUID(),
             rotate="https://cloud.sambanova.ai/apis"),
    ctx_rule("stability-api-key", "stability", "Stability AI API key (sk- + 48 next to stability)",
             name=r"stability[_.\-]?(?:ai[_.\-]?)?(?:api[_.\-]?)?key", key="STABILITY_API_KEY", keywords=STAB_KW,
             value=PREFIXED("sk-", ALNUM(48)), entropy=4.0,
             rotate="https://platform.stability.ai/account/keys"),
    ctx_rule("runway-api-secret", "runway", "Runway API secret (key_ + key next to runwayml)",
             name=r"runway(?:ml)?[\w.\-]{0,20}(?:secret|key|token)", key="RUNWAYML_API_SECRET",
             value=Fmt(r"key_[A-Za-z0-9]{100,160}", lambda: "key_" + hexs(128)), entropy=3.5,
             keywords=["runway"], rotate="https://dev.runwayml.com/"),
    prefix_rule(
        "cartesia-api-key", "cartesia", "Cartesia (voice AI) API key (sk_car_)",
        regex=r"\b(sk_car_[A-Za-z0-9]{22})\b", keywords=["sk_car_"],
        sample=lambda: "sk_car_" + b62(22), env_var="CARTESIA_API_KEY", entropy=3.8,
        rotate="https://play.cartesia.ai/keys",
        negatives=pnegs("CARTESIA_API_KEY", "sk_car_", lambda: "sk_car_" + b62(22),
                        "private static final String ASK_CAR_NAMES = \"names\";")),
    ctx_rule("deepgram-api-key", "deepgram", "Deepgram API key (40 hex next to deepgram)",
             name=r"deepgram[\w.\-]{0,20}(?:key|token|secret)", key="DEEPGRAM_API_KEY", value=HEX(40),
             rotate="https://console.deepgram.com/project/keys"),
    ctx_rule("deepl-api-key", "deepl", "DeepL API authentication key (UUID, :fx for Free, next to deepl)",
             name=r"deepl[_.\-]?(?:api[_.\-]?)?(?:auth[_.\-]?)?(?:key|token)", key="DEEPL_AUTH_KEY",
             keywords=[f"deepl{s}{w}" for s in ("_", "-", ".", "") for w in ("api", "auth", "key", "token")],
             value=Fmt(UUID_RE + r"(?::fx)?", lambda: uuid4() + ":fx"),
             rotate="https://www.deepl.com/your-account/keys"),
    prefix_rule(
        "twelvelabs-api-key", "twelvelabs", "Twelve Labs (video understanding) API key (tlk_)",
        regex=r"\b(tlk_[A-Z0-9]{24,40})\b", keywords=["tlk_"],
        sample=lambda: "tlk_" + alnum_upper(31), env_var="TWELVE_LABS_API_KEY", entropy=3.5,
        rotate="https://playground.twelvelabs.io/dashboard/api-key",
        negatives=pnegs("TWELVE_LABS_API_KEY", "tlk_", lambda: "tlk_" + alnum_upper(31),
                        "TWELVE_LABS_API_KEY=tlk_your_api_key_here")),
]

# ---------------------------------------------------------------- model hubs / ML platforms
R += [
    ctx_rule("wandb-local-api-key", "wandb", "Weights & Biases self-hosted (local-) API key next to wandb",
             name=r"wandb[\w.\-]{0,20}(?:key|token)?", key="WANDB_API_KEY",
             value=PREFIXED("local-", HEX(40)), rotate="https://wandb.ai/authorize"),
    ctx_rule("clarifai-pat", "clarifai", "Clarifai personal access token (32 hex next to clarifai)",
             name=r"clarifai[\w.\-]{0,20}(?:pat|key|token)", key="CLARIFAI_PAT", value=HEX(32),
             rotate="https://clarifai.com/settings/security"),
    ctx_rule("roboflow-api-key", "roboflow", "Roboflow API key (20 alphanumerics next to roboflow)",
             name=r"roboflow[\w.\-]{0,20}(?:key|token)", key="ROBOFLOW_API_KEY", value=ALNUM(20),
             entropy=3.0, rotate="https://app.roboflow.com/settings/api"),
    ctx_rule("modal-token-secret", "modal", "Modal token secret (as- + 22 next to modal)",
             name=r"modal[_.\-]?token[_.\-]?secret", key="MODAL_TOKEN_SECRET", keywords=MODAL_KW,
             value=PREFIXED("as-", ALNUM(22)), entropy=3.5, severity="critical",
             rotate="https://modal.com/settings/tokens"),
    ctx_rule("baseten-api-key", "baseten", "Baseten API key (8.32 alphanumerics next to baseten)",
             name=r"baseten[\w.\-]{0,20}(?:key|token)", key="BASETEN_API_KEY",
             value=Fmt(r"[A-Za-z0-9]{8}\.[A-Za-z0-9]{32}", lambda: b62(8) + "." + b62(32)), entropy=4.0,
             rotate="https://app.baseten.co/settings/api_keys"),
    rule("lambda-cloud-api-key", "lambdalabs",
         "Lambda (Lambda Labs) Cloud API key (secret_<name>_<id>.<token>)",
         regex=r"(?i:lambda[_.\-]?(?:labs?|cloud)?[_.\-]?api[_.\-]?key|lambda[_.\-]?(?:labs|cloud))"
               r"[\w.\-]{0,20}[\"']?\s{0,3}(?:[:+?|]{0,2}=>?|:{1,2}|\s)\s{0,3}[\"']?"
               r"(secret_[A-Za-z0-9_\-]{4,80}\.[A-Za-z0-9]{20,64})(?:[^A-Za-z0-9_\-.]|$)",
         keywords=["lambda_api", "lambda-api", "lambdaapi", "lambda.api", "lambda_labs", "lambdalabs",
                   "lambda-labs", "lambda_cloud", "lambda-cloud", "lambdacloud", "lambda_lab", "lambda-lab",
                   "lambdalab"],
         examples=["LAMBDA_API_KEY=secret_" + alnum_lower(6) + "_" + hexs(32) + "." + b62(32),
                   "export LAMBDA_CLOUD_API_KEY=\"secret_" + alnum_lower(6) + "_" + hexs(32) + "." + b62(32) + "\"",
                   "lambda_labs_api_key: secret_" + alnum_lower(6) + "_" + hexs(32) + "." + b62(32)],
         negative_examples=["LAMBDA_API_KEY=secret_xxx.xxx",
                            "LAMBDA_API_KEY=secret_your_id.your_token",
                            "LAMBDA_API_KEY=${LAMBDA_API_KEY}",
                            "AWS_LAMBDA_FUNCTION_NAME=secret_rotation_handler_function_v2"],
         severity="high", confidence="high", entropy=4.0, env_var="LAMBDA_API_KEY",
         rotate="https://cloud.lambda.ai/api-keys"),
    rule("runpod-api-key", "runpod", "RunPod API key (rpa_, near runpod)",
         regex=r"\b(rpa_[A-Za-z0-9]{32,64})\b", keywords=["runpod"],
         examples=["RUNPOD_API_KEY=rpa_" + alnum_upper(40) + alnum_lower(6),
                   "runpod.api_key = \"rpa_" + alnum_upper(40) + alnum_lower(6) + "\""],
         negative_examples=["RUNPOD_API_KEY=rpa_xxxxxxxxxx", "RUNPOD_API_KEY=rpa_...",
                            "RUNPOD_API_KEY=rpa_***REDACTED***",
                            "runpod: see rpa_" + "settings_page_for_the_key_creation"],
         severity="high", confidence="medium", entropy=4.0, env_var="RUNPOD_API_KEY",
         rotate="https://www.runpod.io/console/user/settings"),
    prefix_rule(
        "neptune-api-token", "neptune", "neptune.ai API token (base64 JSON with api_address)",
        regex=r"\b(eyJhcGlfYWRkcmVzcyI6[A-Za-z0-9+/]{60,400}={0,2})(?:[^A-Za-z0-9+/=]|$)",
        keywords=["eyjhcglfywrkcmvzcyi6"], sample=neptune_token, env_var="NEPTUNE_API_TOKEN",
        entropy=4.5, rotate="https://app.neptune.ai/",
        negatives=["NEPTUNE_API_TOKEN=ANONYMOUS", "NEPTUNE_API_TOKEN=eyJhcGlfYWRkcmVzcyI6",
                   "NEPTUNE_API_TOKEN=${NEPTUNE_API_TOKEN}", "neptune_api_token: <neptune-api-token>"]),
    ctx_rule("comet-api-key", "comet", "Comet ML API key (25 alphanumerics next to comet api key)",
             name=r"comet(?:[_.\-]?ml)?[_.\-]?api[_.\-]?key", key="COMET_API_KEY", value=ALNUM(25),
             keywords=["comet_api", "comet-api", "comet.api", "cometapi", "comet_ml", "comet-ml",
                       "comet.ml", "cometml"], entropy=3.2,
             rotate="https://www.comet.com/account-settings/apiKeys"),
]

# ---------------------------------------------------------------- vector DBs / retrieval
R += [
    ctx_rule("weaviate-api-key", "weaviate", "Weaviate Cloud API key (next to weaviate)",
             name=r"weaviate[\w.\-]{0,20}(?:key|token|secret)", key="WEAVIATE_API_KEY",
             value=Fmt(r"[A-Za-z0-9+/]{32,96}={0,2}", lambda: b62(48)), entropy=4.0,
             rotate="https://console.weaviate.cloud/"),
    ctx_rule("qdrant-api-key", "qdrant", "Qdrant Cloud API key (next to qdrant)",
             name=r"qdrant[\w.\-]{0,20}(?:key|token|secret)", key="QDRANT_API_KEY",
             value=Fmt(r"[A-Za-z0-9_\-|.]{32,256}", lambda: uuid4() + "|" + b64url(42)), entropy=4.0,
             rotate="https://cloud.qdrant.io/"),
    ctx_rule("voyage-api-key", "voyageai", "Voyage AI API key (pa-/al- + 43 next to voyage)",
             name=r"voyage[\w.\-]{0,20}(?:key|token)", key="VOYAGE_API_KEY",
             value=Fmt(r"(?:pa|al)-[A-Za-z0-9_\-]{43}", lambda: "pa-" + b64url(43)), entropy=4.0,
             keywords=["voyage"], rotate="https://dashboard.voyageai.com/api-keys"),
    prefix_rule(
        "jina-api-key", "jina", "Jina AI Search Foundation API key (jina_)",
        regex=r"\b(jina_[a-f0-9]{32}[A-Za-z0-9]{28})\b", keywords=["jina_"],
        sample=lambda: "jina_" + hexs(32) + b62(28), env_var="JINA_API_KEY", entropy=4.0,
        rotate="https://jina.ai/api-dashboard/key-manager",
        negatives=pnegs("JINA_API_KEY", "jina_", lambda: "jina_" + hexs(32) + b62(28))),
    prefix_rule(
        "tavily-api-key", "tavily", "Tavily search API key (tvly-, tvly-dev-, tvly-prod-)",
        regex=r"\b(tvly-(?:dev-|prod-)?[A-Za-z0-9]{32})\b", keywords=["tvly-"],
        sample=lambda: "tvly-dev-" + b62(32), env_var="TAVILY_API_KEY", entropy=4.0,
        rotate="https://app.tavily.com/home",
        negatives=pnegs("TAVILY_API_KEY", "tvly-", lambda: "tvly-" + b62(32),
                        "TAVILY_API_KEY=tvly-your-api-key", "placeholder: 'tvly-xxx'")),
    ctx_rule("exa-api-key", "exa", "Exa search API key (UUID next to exa api key)",
             name=r"exa[_.\-]?(?:ai[_.\-]?)?api[_.\-]?key", key="EXA_API_KEY", value=UUID(),
             keywords=["exa_api", "exa-api", "exa.api", "exaapi", "exa_ai", "exa-ai", "exaai"],
             rotate="https://dashboard.exa.ai/api-keys"),
    ctx_rule("firecrawl-api-key", "firecrawl", "Firecrawl API key (fc- + 32 hex next to firecrawl)",
             name=r"firecrawl[\w.\-]{0,20}(?:key|token)", key="FIRECRAWL_API_KEY",
             value=PREFIXED("fc-", HEX(32)), rotate="https://www.firecrawl.dev/app/api-keys"),
    ctx_rule("serper-api-key", "serper", "Serper (Google search API) key (40 hex next to serper)",
             name=r"serper[\w.\-]{0,20}(?:key|token)", key="SERPER_API_KEY", value=HEX(40),
             rotate="https://serper.dev/api-key"),
    ctx_rule("serpapi-api-key", "serpapi", "SerpApi API key (64 hex next to serpapi)",
             name=r"serp[_.\-]?api[\w.\-]{0,20}(?:key|token)?", key="SERPAPI_API_KEY", value=HEX(64),
             keywords=["serpapi", "serp_api", "serp-api"], rotate="https://serpapi.com/manage-api-key"),
    prefix_rule(
        "browserbase-api-key", "browserbase", "Browserbase API key (bb_live_)",
        regex=r"\b(bb_live_[A-Za-z0-9_\-]{27})(?:[^A-Za-z0-9_\-]|$)", keywords=["bb_live_"],
        sample=lambda: "bb_live_" + b64url(27), env_var="BROWSERBASE_API_KEY", entropy=4.0,
        rotate="https://www.browserbase.com/settings",
        negatives=pnegs("BROWSERBASE_API_KEY", "bb_live_", lambda: "bb_live_" + b64url(27),
                        "static void initiate_bb_live_info (bb_t bb) {")),
    prefix_rule(
        "e2b-api-key", "e2b", "E2B sandbox API key (e2b_)",
        regex=r"\b(e2b_[0-9a-f]{40})\b", keywords=["e2b_"],
        sample=lambda: "e2b_" + hexs(40), env_var="E2B_API_KEY",
        rotate="https://e2b.dev/dashboard?tab=keys",
        negatives=pnegs("E2B_API_KEY", "e2b_", lambda: "e2b_" + hexs(40),
                        "from e2b_code_interpreter import Sandbox")),
]

# ---------------------------------------------------------------- LLM ops / observability / agents
R += [
    prefix_rule(
        "langsmith-legacy-api-key", "langchain", "LangSmith legacy API key (ls__ + 32 hex)",
        regex=r"\b(ls__[0-9a-f]{32})\b", keywords=["ls__"],
        sample=lambda: "ls__" + hexs(32), env_var="LANGCHAIN_API_KEY",
        rotate="https://smith.langchain.com/settings",
        negatives=pnegs("LANGCHAIN_API_KEY", "ls__", lambda: "ls__" + hexs(32))),
    prefix_rule(
        "langfuse-secret-key", "langfuse", "Langfuse secret API key (sk-lf- + UUID)",
        regex=r"\b(sk-lf-" + UUID_RE + r")\b", keywords=["sk-lf-"],
        sample=lambda: "sk-lf-" + uuid4(), env_var="LANGFUSE_SECRET_KEY",
        rotate="https://cloud.langfuse.com/",
        negatives=pnegs("LANGFUSE_SECRET_KEY", "sk-lf-", lambda: "sk-lf-" + uuid4(),
                        "LANGFUSE_SECRET_KEY=sk-lf-REPLACE-ME")),
    prefix_rule(
        "helicone-api-key", "helicone", "Helicone API key (sk-helicone-, incl. proxy keys)",
        regex=r"\b(sk-helicone-(?:proxy-)?[a-z0-9]{7}-[a-z0-9]{7}-[a-z0-9]{7}-[a-z0-9]{7})\b",
        keywords=["sk-helicone-"], sample=lambda: "sk-helicone-" + helicone_groups(),
        env_var="HELICONE_API_KEY", entropy=3.5, rotate="https://us.helicone.ai/settings/api-keys",
        negatives=pnegs("HELICONE_API_KEY", "sk-helicone-", lambda: "sk-helicone-" + helicone_groups(),
                        "HELICONE_API_KEY=sk-helicone-...")),
    prefix_rule(
        "helicone-read-key", "helicone", "Helicone read-only API key (pk-helicone-)",
        regex=r"\b(pk-helicone-(?:eu-)?[a-z0-9]{7}-[a-z0-9]{7}-[a-z0-9]{7}-[a-z0-9]{7})\b",
        keywords=["pk-helicone-"], sample=lambda: "pk-helicone-" + helicone_groups(),
        env_var="HELICONE_READ_KEY", severity="low", entropy=3.5,
        rotate="https://us.helicone.ai/settings/api-keys",
        negatives=pnegs("HELICONE_READ_KEY", "pk-helicone-", lambda: "pk-helicone-" + helicone_groups())),
    ctx_rule("promptlayer-api-key", "promptlayer", "PromptLayer API key (pl_ + 32 hex next to promptlayer)",
             name=r"prompt[_.\-]?layer[\w.\-]{0,20}(?:key|token)", key="PROMPTLAYER_API_KEY",
             value=PREFIXED("pl_", HEX(32)), keywords=["promptlayer", "prompt_layer", "prompt-layer"],
             rotate="https://dashboard.promptlayer.com/settings"),
    ctx_rule("fal-api-key", "fal", "fal.ai API key (UUID:32 hex next to fal key)",
             name=r"fal[_.\-]?(?:ai[_.\-]?)?(?:api[_.\-]?)?key", key="FAL_KEY",
             value=Fmt(UUID_RE + r":[0-9a-f]{32}", lambda: uuid4() + ":" + hexs(32)),
             keywords=["fal_key", "fal-key", "fal.key", "falkey", "fal_ai", "fal-ai", "fal.ai", "falai",
                       "fal_api", "fal-api", "falapi"],
             rotate="https://fal.ai/dashboard/keys"),
    ctx_rule("dify-api-key", "dify", "Dify app / dataset API key (app-/dataset- + 24 next to dify)",
             name=r"dify[_.\-]?(?:api[_.\-]?)?(?:key|token)", key="DIFY_API_KEY", keywords=DIFY_KW,
             value=Fmt(r"(?:app|dataset)-[A-Za-z0-9]{24}", lambda: "app-" + b62(24)), entropy=3.8,
             rotate="https://docs.dify.ai/guides/application-publishing/developing-with-apis"),
    ctx_rule("coze-personal-access-token", "coze", "Coze personal access token (pat_ + 64 next to coze)",
             name=r"coze[\w.\-]{0,20}(?:key|token|pat)", key="COZE_API_TOKEN",
             value=PREFIXED("pat_", ALNUM(64)), entropy=4.0,
             rotate="https://www.coze.com/open/oauth/pats"),
]

# ---------------------------------------------------------------- more retrieval / speech
R += [
    prefix_rule(
        "llamacloud-api-key", "llamaindex", "LlamaCloud / LlamaParse API key (llx-)",
        regex=r"\b(llx-[A-Za-z0-9]{40,60})\b", keywords=["llx-"],
        sample=lambda: "llx-" + b62(48), env_var="LLAMA_CLOUD_API_KEY", entropy=4.0,
        rotate="https://cloud.llamaindex.ai/api-key",
        negatives=pnegs("LLAMA_CLOUD_API_KEY", "llx-", lambda: "llx-" + b62(48),
                        "LLAMA_CLOUD_API_KEY=llx-your-llama-key-here",
                        "printf(\"[0x%016llx-0x%016llx]\\n\", start, end);")),
    prefix_rule(
        "turbopuffer-api-key", "turbopuffer", "turbopuffer API key (tpuf_)",
        regex=r"\b(tpuf_[A-Za-z0-9]{32,48})\b", keywords=["tpuf_"],
        sample=lambda: "tpuf_" + b62(32), env_var="TURBOPUFFER_API_KEY", entropy=4.0,
        rotate="https://turbopuffer.com/dashboard",
        negatives=pnegs("TURBOPUFFER_API_KEY", "tpuf_", lambda: "tpuf_" + b62(32),
                        "TPUF_BATCH_SIZE = 500", "async def refresh_tpuf_namespace(namespace: str):")),
    ctx_rule("chroma-cloud-api-key", "chroma", "Chroma Cloud API key (ck- next to chroma)",
             name=r"chroma[_.\-]?(?:cloud[_.\-]?)?(?:api[_.\-]?)?(?:key|token)", key="CHROMA_API_KEY",
             keywords=[f"chroma{s}{w}" for s in ("_", "-", ".", "") for w in ("api", "cloud", "key", "token")],
             value=Fmt(r"ck-[A-Za-z0-9]{40,60}", lambda: "ck-" + b62(44)), entropy=4.0,
             rotate="https://www.trychroma.com/"),
    ctx_rule("nomic-api-key", "nomic", "Nomic Atlas API key (nk- next to nomic)",
             name=r"nomic[_.\-]?(?:atlas[_.\-]?)?(?:api[_.\-]?)?(?:key|token)", key="NOMIC_API_KEY",
             keywords=[f"nomic{s}{w}" for s in ("_", "-", ".", "") for w in ("api", "atlas", "key", "token")],
             value=Fmt(r"nk-[A-Za-z0-9_\-]{40,50}", lambda: "nk-" + b64url(43)), entropy=4.0,
             rotate="https://atlas.nomic.ai/cli-login"),
    ctx_rule("gladia-api-key", "gladia", "Gladia speech-to-text API key (UUID next to gladia)",
             name=r"gladia[\w.\-]{0,20}(?:key|token)", key="GLADIA_API_KEY", value=UUID(),
             rotate="https://app.gladia.io/account"),
    ctx_rule("speechmatics-api-key", "speechmatics", "Speechmatics API key (32 alphanumerics next to speechmatics)",
             name=r"speechmatics[\w.\-]{0,20}(?:key|token)", key="SPEECHMATICS_API_KEY", value=ALNUM(32),
             entropy=4.0, rotate="https://portal.speechmatics.com/settings/api-keys"),
    ctx_rule("playht-secret-key", "playht", "PlayHT API secret key (32 hex next to playht)",
             name=r"play[_.\-]?ht[\w.\-]{0,20}(?:secret|key)", key="PLAYHT_API_KEY", value=HEX(32),
             keywords=["playht", "play_ht", "play-ht", "play.ht"], rotate="https://play.ht/studio/api-access"),
]

ALIASES = {
    "openai-project-api-key": ["openai-api-key"],
    "openai-service-account-key": ["openai-api-key"],
    "openai-admin-key": ["openai-api-key"],
    "openai-legacy-api-key": ["openai-api-key"],
    "anthropic-api-key": ["anthropic-api-key"],
    "anthropic-admin-key": ["anthropic-admin-api-key"],
    "huggingface-access-token": ["huggingface-access-token"],
    "huggingface-org-api-token": ["huggingface-organization-api-token"],
    "cohere-api-key": ["cohere-api-token"],
    "perplexity-api-key": ["perplexity-api-key"],
}

generate("ai", "\n".join([
    "# leakless built-in rules: AI / ML platforms (LLM APIs, model hubs, inference clouds, vector DBs,",
    "# LLM tooling, speech and search APIs). Google Gemini keys (AIza...) are covered by cloud.toml.",
    "# Spec: scripts/rulegen/ai.py (hand-written rules are kept, read back).",
    "# Format: gitleaks v8 rules plus leakless fields (provider, severity, confidence, aliases, env_var,",
    "# rotate, examples, negative_examples).",
]), R, aliases=ALIASES)
