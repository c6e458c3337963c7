"""Spec of rules/cicd.toml: CI/CD, build and deployment services.

Regenerate every pack with `python3 scripts/rulegen/regen.py`: it runs this spec and moves each
rule to the pack of its provider's category (`PACK_OF` in regen.py), so some rules written here
live in another pack.

Run: python3 scripts/rulegen/regen.py

The pack also holds the CircleCI, Buildkite, Travis CI, Azure DevOps and Terraform Cloud rules
that scripts/rulegen/vcs.py writes (regen.py moves them here); GitHub Actions and GitLab CI tokens
stay with their code hosts in rules/vcs.toml; Develocity and Nx Cloud are in rules/devtools.toml. Every
pattern here is written from the provider's documented token format; example values are random
fakes drawn from that format.
"""

import base64
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rulegen import *  # noqa: E402,F403
from rulegen import _R  # noqa: E402,F401

reseed(int(os.environ.get("RULEGEN_SEED", "0")) or 0xC1CD)

URL_END = r"(?:[^A-Za-z0-9_\-]|$)"


def b64url_nopad(s):
    return base64.urlsafe_b64encode(s.encode()).decode().rstrip("=")


def pneg(env, prefix, body_sample, short=8, extra=()):
    return [
        f"{env}=${{{env}}}",
        f"{env}={prefix}<your-token-here>",
        f"{env}={prefix}{body_sample[:short]}",
        f"Tokens start with {prefix} followed by random characters.",
    ] + list(extra)


rules = []
add = rules.append

# --------------------------------------------------------------------------- CircleCI, Drone, Buildkite
add(ctx_rule(
    "circleci-api-token-legacy", "circleci",
    "CircleCI personal or project API token in the legacy 40-hex format beside a CircleCI token name",
    name=r"circle(?:ci)?[_.\-]?(?:api[_.\-]?|personal[_.\-]?|project[_.\-]?)?token", key="CIRCLECI_TOKEN",
    value=HEX(40), keywords=["circleci", "circle_", "circle-", "circle.", "circletoken", "circleapi",
                             "circlepersonal", "circleproject"],
    rotate="https://app.circleci.com/settings/user/tokens"))
add(ctx_rule(
    "droneci-access-token", "drone", "Drone CI personal token (32 alphanumerics) beside a Drone token name",
    name=r"drone[\w.\-]{0,20}token", key="DRONE_TOKEN", value=ALNUM(32), entropy=3.5, keywords=["drone"],
    aliases=["droneci-access-token"], rotate="https://docs.drone.io/cli/setup/"))
add(ctx_rule(
    "droneci-rpc-secret", "drone", "Drone CI RPC shared secret (server/runner) beside a DRONE_RPC_SECRET name",
    name=r"drone[_.\-]?rpc[_.\-]?secret", key="DRONE_RPC_SECRET",
    value=Fmt(r"[0-9a-fA-F]{32,64}", lambda: hexs(32)), keywords=["drone"], severity="critical",
    rotate="https://docs.drone.io/server/reference/drone-rpc-secret/"))
add(ctx_rule(
    "buildkite-agent-token", "buildkite",
    "Buildkite agent registration token beside a BUILDKITE_AGENT_TOKEN name",
    name=r"buildkite[_.\-]?agent[_.\-]?(?:registration[_.\-]?)?token", key="BUILDKITE_AGENT_TOKEN",
    value=Fmt(r"(?:bkct_)?[a-z0-9]{40,64}", lambda: alnum_lower(50)), entropy=3.5, keywords=["buildkite"],
    severity="critical", rotate="https://buildkite.com/organizations/~/agents"))

# --------------------------------------------------------------------------- Jenkins
JENKINS_ROT = "https://www.jenkins.io/doc/book/security/access-control/permissions/#api-tokens"
add(ctx_rule(
    "jenkins-api-token", "jenkins", "Jenkins user API token (11 + 32 hex) beside a Jenkins token or password name",
    name=r"jenkins[\w.\-]{0,20}(?:api[_.\-]?)?(?:token|pass(?:word)?|key)", key="JENKINS_API_TOKEN",
    value=Fmt(r"11[0-9a-f]{32}", lambda: "11" + hexs(32)), keywords=["jenkins"],
    severity="critical", rotate=JENKINS_ROT))
add(ctx_rule(
    "jenkins-api-token-legacy", "jenkins", "Jenkins legacy user API token (32 hex) beside a Jenkins token name",
    name=r"jenkins[\w.\-]{0,20}(?:api[_.\-]?)?token", key="JENKINS_TOKEN", value=HEX(32), keywords=["jenkins"],
    rotate=JENKINS_ROT))


def agent_cmd():
    return (f"java -jar agent.jar -url https://ci.example.com/ -secret {hexs(64)} -name build-{digits(2)} -workDir /home/jenkins")


add(rule(
    "jenkins-agent-secret", "jenkins", "Jenkins inbound agent secret (64 hex) on an agent.jar command line",
    regex=r"(?:agent|slave)\.jar[^\n]{0,400}?\s-secret\s{1,3}[\"']?([0-9a-f]{64})\b",
    keywords=["agent.jar", "slave.jar"],
    examples=[agent_cmd(), f"CMD java -jar /usr/share/jenkins/agent.jar -jnlpUrl https://ci.example.com/computer/a1/jenkins-agent.jnlp -secret {hexs(64)}"],
    negative_examples=["java -jar agent.jar -url https://ci.example.com/ -secret @secret-file -name a1",
                       "java -jar agent.jar -url https://ci.example.com/ -secret ${JENKINS_SECRET} -name a1",
                       "java -jar agent.jar -secret " + hexs(40),
                       "Pass -secret <hex> to agent.jar to connect the agent."],
    severity="critical", confidence="high", entropy=3.0, env_var="JENKINS_SECRET",
    rotate="https://www.jenkins.io/doc/book/managing/nodes/"))
add(ctx_rule(
    "jenkins-agent-secret-env", "jenkins", "Jenkins inbound agent secret (64 hex) beside a JENKINS_SECRET / agent secret name",
    name=r"jenkins[_.\-]?(?:agent[_.\-]?)?secret", key="JENKINS_SECRET", value=HEX(64), keywords=["jenkins"],
    severity="critical", rotate="https://www.jenkins.io/doc/book/managing/nodes/"))
add(ctx_rule(
    "jenkins-crumb", "jenkins", "Jenkins CSRF crumb (64 hex) in a Jenkins-Crumb header or field (session-bound, low risk)",
    name=r"jenkins[_.\-]?crumb", key="JENKINS_CRUMB", value=HEX(64), keywords=["jenkins"], severity="low",
    rotate="https://www.jenkins.io/doc/book/security/csrf-protection/"))

# --------------------------------------------------------------------------- TeamCity, Bitrise, Codemagic, AppVeyor


def tc_token():
    return "eyJ0eXAiOiAiVENWMiJ9." + b64url(36) + "." + b64url(64)


add(prefix_rule(
    "teamcity-access-token", "teamcity", "JetBrains TeamCity access token (eyJ0eXAiOiAiVENWMiJ9 prefix: {\"typ\": \"TCV2\"})",
    regex=r"\b(eyJ0eXAiOiAiVENWMiJ9\.[A-Za-z0-9_\-]{10,200}\.[A-Za-z0-9_\-]{20,200})" + URL_END,
    keywords=["eyj0exaioiaivenwmij9"], sample=tc_token, env_var="TEAMCITY_TOKEN", entropy=4.0,
    severity="critical", rotate="https://www.jetbrains.com/help/teamcity/configuring-your-user-profile.html#Managing+Access+Tokens",
    negatives=pneg("TEAMCITY_TOKEN", "eyJ0eXAiOiAiVENWMiJ9.", b64url(36), short=8)))
add(ctx_rule(
    "bitrise-personal-access-token", "bitrise", "Bitrise personal or workspace API token beside a Bitrise token name",
    name=r"bitrise[\w.\-]{0,20}(?:token|pat|api[_.\-]?key)", key="BITRISE_API_TOKEN",
    value=Fmt(r"[A-Za-z0-9_\-]{60,120}", lambda: b64url(86)), entropy=4.0, keywords=["bitrise"],
    severity="critical", rotate="https://app.bitrise.io/me/account/security"))
add(ctx_rule(
    "bitrise-build-trigger-token", "bitrise", "Bitrise build trigger token (22 characters) beside a Bitrise trigger-token name",
    name=r"bitrise[\w.\-]{0,20}trigger[_.\-]?token", key="BITRISE_BUILD_TRIGGER_TOKEN", value=URLSAFE(22),
    entropy=3.5, keywords=["bitrise"], rotate="https://devcenter.bitrise.io/en/builds/starting-builds/triggering-builds-with-the-bitrise-api.html"))
add(ctx_rule(
    "codemagic-api-token", "codemagic", "Codemagic API token beside a Codemagic token name",
    name=r"codemagic[\w.\-]{0,20}(?:token|api[_.\-]?key)", key="CODEMAGIC_API_TOKEN",
    value=Fmt(r"[A-Za-z0-9_\-]{40,64}", lambda: b64url(43)), entropy=4.0, keywords=["codemagic"],
    severity="critical", rotate="https://codemagic.io/teams"))
add(ctx_rule(
    "appveyor-api-token", "appveyor", "AppVeyor API token (v2. prefix or 20 characters) beside an AppVeyor token name",
    name=r"appveyor[\w.\-]{0,20}(?:token|api[_.\-]?key)", key="APPVEYOR_API_TOKEN",
    value=Fmt(r"(?:v2\.)?[a-z0-9]{20}", lambda: "v2." + alnum_lower(20)), entropy=3.0, keywords=["appveyor"],
    severity="critical", rotate="https://ci.appveyor.com/api-keys"))

# --------------------------------------------------------------------------- Harness, Octopus, Spacelift, env0, Semaphore, Codefresh


def harness(kind):
    return f"{kind}.{b64url(22)}.{b62(24)}.{b62(20)}"


for kind, label, env in [("pat", "personal access token", "HARNESS_API_KEY"),
                         ("sat", "service account token", "HARNESS_API_KEY")]:
    add(prefix_rule(
        f"harness-{'personal-access-token' if kind == 'pat' else 'service-account-token'}", "harness",
        f"Harness {label} ({kind}.<account id>.<token id>.<secret>)",
        regex=rf"\b({kind}\.[A-Za-z0-9_\-]{{22}}\.[A-Za-z0-9]{{24}}\.[A-Za-z0-9]{{20}})\b",
        keywords=[f"{kind}."], sample=(lambda k: lambda: harness(k))(kind), env_var=env, entropy=3.5,
        severity="critical", aliases=["harness-api-key"],
        rotate="https://developer.harness.io/docs/platform/automation/api/add-and-manage-api-keys/",
        negatives=pneg(env, f"{kind}.", b62(22), short=10,
                       extra=[f"x = {kind}.{b62(22)}.{b62(24)}"])))
# Octopus' documented key shape is distinctive on its own (API- + 26 upper-case letters and
# digits): found with no Octopus name near it. "api-" is in every API URL, so the regex runs on
# the keyword's line only; an all-letter tail is a constant name, not a key.
add(rule(
    "octopus-deploy-api-key", "octopus-deploy", "Octopus Deploy API key (API- + 26 upper-case alphanumerics)",
    r"(?:^|[^A-Za-z0-9_\-])(API-[A-Z0-9]{26,27})(?:[^A-Za-z0-9_\-]|$)",
    ["api-", "octopus"],
    ["OCTOPUS_API_KEY=API-VL2W8RYPQAF5AQYOPCCAW7NUNE",
     "var octopusApiKey = \"API-0B5A3HERZQQ7WY1C8K4T33QHD6\";",
     "octo create-release --project Web --server https://deploy.example.com --apiKey API-RKBBUXT39ML5VCCGNXHOSDX9WM",
     "octo create-release --project Web --server https://deploy.example.com --apiKey=API-3A0M06BPBLUYJ1S4HTPWB7I6RB",
     "curl -H \"X-Octopus-ApiKey: API-6WVK251F9WH0NUPXINHHRYTXNO\" https://deploy.internal/api/projects",
     "Use the key `API-M8XVS1V29FATRPG01B7UMVEFQ4` for the staging space."],
    ["OCTOPUS_API_KEY=${OCTOPUS_API_KEY}",
     "octo create-release --project Web --apiKey API-XXXXXXXXXXXXXXXXXXXXXXXXXX",
     "OCTOPUS_API_KEY=API-JU7ONFFEPNR",
     "const ERROR = \"API-AUTHENTICATIONREQUIREDERROR\";",
     "see https://example.internal/docs/API-RS87Y6HNW0QT8COB73BMFEDAWX-notes"],
    severity="critical", confidence="high", entropy=3.75, env_var="OCTOPUS_API_KEY", window=64,
    aliases=["octopus-deploy-api-key"], rotate="https://octopus.com/docs/octopus-rest-api/how-to-create-an-api-key"))
add(ctx_rule(
    "spacelift-api-key-secret", "spacelift", "Spacelift API key secret beside a Spacelift key-secret name",
    name=r"spacelift[\w.\-]{0,20}(?:api[_.\-]?)?(?:key[_.\-]?)?secret", key="SPACELIFT_API_KEY_SECRET",
    value=Fmt(r"[A-Za-z0-9]{32,64}", lambda: b62(40)), entropy=3.5, keywords=["spacelift"],
    severity="critical", rotate="https://docs.spacelift.io/integrations/api#spacelift-api-key-token"))
add(ctx_rule(
    "env0-api-key-secret", "env0", "env0 API key secret beside an env0 secret name",
    name=r"env0[\w.\-]{0,20}(?:api[_.\-]?)?(?:key[_.\-]?)?secret", key="ENV0_API_SECRET",
    value=Fmt(r"[A-Za-z0-9_\-]{24,64}", lambda: b64url(32)), entropy=3.5, keywords=["env0"],
    severity="critical", rotate="https://docs.env0.com/docs/api-keys"))
add(ctx_rule(
    "semaphore-api-token", "semaphore", "Semaphore CI API token beside a Semaphore token name",
    name=r"semaphore[\w.\-]{0,20}(?:api[_.\-]?)?token", key="SEMAPHORE_API_TOKEN",
    value=Fmt(r"[A-Za-z0-9_\-]{20,40}", lambda: b62(24)), entropy=3.5,
    keywords=["semaphore"], severity="critical", rotate="https://me.semaphoreci.com/account"))
add(ctx_rule(
    "codefresh-api-key", "codefresh", "Codefresh API key (24 hex . 32 hex) beside a Codefresh key name",
    name=r"(?:codefresh[\w.\-]{0,20}(?:api[_.\-]?)?(?:key|token)|\bcf[_.\-]?api[_.\-]?key)", key="CODEFRESH_API_KEY",
    value=Fmt(r"[0-9a-f]{24}\.[0-9a-f]{32}", lambda: hexs(24) + "." + hexs(32)), keywords=["codefresh", "cf_api_key", "cf-api-key", "cfapikey", "cf.api.key"],
    severity="critical", rotate="https://g.codefresh.io/user/settings"))

# --------------------------------------------------------------------------- Argo CD, Buddy, Bamboo, Woodpecker, Infracost


def argocd():
    payload = ('{"iss":"argocd","sub":"ci:apiKey","nbf":' + digits(10) + ',"iat":' + digits(10)
               + ',"jti":"' + uuid4() + '"}')
    return (b64url_nopad('{"alg":"HS256","typ":"JWT"}') + "." + b64url_nopad(payload) + "." + b64url(43))


add(prefix_rule(
    "argocd-auth-token", "argocd", "Argo CD API / account token (HS256 JWT issued by argocd)",
    regex=r"\b(eyJ[A-Za-z0-9_\-]{10,200}\.eyJpc3MiOiJhcmdvY2Qi[A-Za-z0-9_\-]{20,2000}\.[A-Za-z0-9_\-]{43})" + URL_END,
    keywords=["eyjpc3mioijhcmdvy2qi"], sample=argocd, env_var="ARGOCD_AUTH_TOKEN", entropy=4.0,
    severity="critical", rotate="https://argo-cd.readthedocs.io/en/stable/user-guide/commands/argocd_account_delete-token/",
    negatives=["ARGOCD_AUTH_TOKEN=$(argocd account generate-token)",
               "ARGOCD_AUTH_TOKEN=eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJhcmdvY2Qi.sig",
               "ARGOCD_AUTH_TOKEN=<token>",
               "Argo CD tokens decode to {\"iss\":\"argocd\", ...}."]))
add(ctx_rule(
    "buddy-works-token", "buddy", "Buddy.Works personal access token beside a Buddy token name",
    name=r"buddy(?:[_.\-]?works)?[\w.\-]{0,20}(?:token|api[_.\-]?key)", key="BUDDY_TOKEN",
    value=Fmt(r"[A-Za-z0-9_\-]{32,64}", lambda: b62(40)), entropy=3.5,
    keywords=["buddy_", "buddy-", "buddy.", "buddytoken", "buddyworks", "buddyapi"],
    severity="critical", rotate="https://app.buddy.works/my-id/api-tokens"))
add(ctx_rule(
    "bamboo-personal-access-token", "bamboo",
    "Atlassian Bamboo (Data Center) personal access token (44 base64, id:secret) beside a Bamboo token name",
    name=r"bamboo[\w.\-]{0,20}(?:token|pat)", key="BAMBOO_TOKEN",
    value=Fmt(r"[MNO][A-Za-z0-9+/]{43}", lambda: "N" + b64(43)), entropy=4.0, keywords=["bamboo"],
    severity="critical", rotate="https://confluence.atlassian.com/bamboo/personal-access-tokens-976779873.html"))
add(ctx_rule(
    "woodpecker-agent-secret", "woodpecker", "Woodpecker CI agent shared secret beside a WOODPECKER_AGENT_SECRET name",
    name=r"woodpecker[_.\-]?agent[_.\-]?secret", key="WOODPECKER_AGENT_SECRET",
    value=Fmt(r"[0-9a-fA-F]{48,128}", lambda: hexs(64)), keywords=["woodpecker"], severity="critical",
    rotate="https://woodpecker-ci.org/docs/administration/configuration/agent"))
add(prefix_rule(
    "infracost-api-token", "infracost", "Infracost API key (ico- + 32 alphanumerics)",
    regex=r"\b(ico-[A-Za-z0-9]{32})\b", keywords=["ico-"], sample=lambda: "ico-" + b62(32),
    env_var="INFRACOST_API_KEY", entropy=3.5, aliases=["infracost-api-token"],
    rotate="https://dashboard.infracost.io/org/settings/api-keys",
    negatives=pneg("INFRACOST_API_KEY", "ico-", b62(32), short=10,
                   extra=["<link rel=\"icon\" href=\"/favico-" + alnum_lower(12) + ".png\">"])))
add(ctx_rule(
    "gocd-access-token", "gocd", "GoCD personal access token (40 hex) beside a GoCD token name",
    name=r"go[_.\-]?cd[\w.\-]{0,20}(?:access[_.\-]?)?token", key="GOCD_ACCESS_TOKEN", value=HEX(40),
    keywords=["gocd", "go_cd", "go-cd", "go.cd"], severity="critical",
    rotate="https://docs.gocd.org/current/configuration/access_tokens/"))
add(ctx_rule(
    "concourse-local-user-password", "concourse",
    "Concourse CI local user credentials (user:password) in CONCOURSE_ADD_LOCAL_USER",
    name=r"concourse[_.\-]?add[_.\-]?local[_.\-]?user", key="CONCOURSE_ADD_LOCAL_USER",
    value=Fmt(r"[A-Za-z0-9_.\-]{1,32}:[A-Za-z0-9!@#$%^*_+.\-]{12,64}", lambda: "ci:" + b62(20)), entropy=3.0,
    keywords=["concourse"], severity="high", rotate="https://concourse-ci.org/local-auth.html"))

add(ctx_rule(
    "atlantis-webhook-secret", "atlantis", "Atlantis (Terraform pull-request automation) webhook secret beside an Atlantis webhook-secret name",
    name=r"atlantis[_.\-]?(?:gh[_.\-]?|gitlab[_.\-]?|bitbucket[_.\-]?|azuredevops[_.\-]?)?webhook[_.\-]?secret", key="ATLANTIS_GH_WEBHOOK_SECRET",
    value=Fmt(r"[A-Za-z0-9+/=_\-]{24,128}", lambda: b64url(40)), entropy=4.0, keywords=["atlantis"],
    rotate="https://www.runatlantis.io/docs/webhook-secrets"))
add(ctx_rule(
    "scalr-api-token", "scalr", "Scalr API token (JWT) beside a Scalr token name",
    name=r"scalr[\w.\-]{0,20}token", key="SCALR_TOKEN",
    value=Fmt(r"eyJ[A-Za-z0-9_\-]{10,300}\.eyJ[A-Za-z0-9_\-]{20,2000}\.[A-Za-z0-9_\-]{200,1000}",
              lambda: (b64url_nopad('{"alg":"RS256","typ":"JWT"}') + "." + b64url_nopad(
                  '{"jti":"at-' + alnum_lower(17) + '","iss":"scalr","sub":"user"}') + "." + b64url(342))),
    entropy=4.0, keywords=["scalr"], severity="critical", rotate="https://docs.scalr.io/docs/api-tokens"))

add(ctx_rule(
    "knapsack-pro-api-token", "knapsackpro", "Knapsack Pro test-suite API token (32 hex) beside a Knapsack Pro token name",
    name=r"knapsack[_.\-]?pro[\w.\-]{0,30}token", key="KNAPSACK_PRO_TEST_SUITE_TOKEN", value=HEX(32),
    keywords=["knapsack"], rotate="https://knapsackpro.com/dashboard"))

header = ("# leakless built-in rules: CI/CD, build and deployment services.\n"
          "# Format: gitleaks v8 rules plus leakless fields (provider, severity, confidence, env_var, rotate, examples).\n"
          "# Also CircleCI, Buildkite, Travis CI, Azure DevOps and Terraform Cloud (spec: scripts/rulegen/vcs.py).\n"
          "# Regenerate with scripts/rulegen/regen.py.")
if __name__ == "__main__":
    emit(rules, header=header)
    print(f"# {len(rules)} rules", file=sys.stderr)
