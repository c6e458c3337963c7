"""Spec of rules/vcs.toml: code hosting (GitHub, GitLab, Bitbucket, Atlassian, Gitea, Forgejo,
Codeberg, Gogs, SourceHut, Phabricator, Gitee) plus registry and CI rules that regen.py moves to
rules/devtools.toml and rules/cicd.toml.

Regenerate every pack with `python3 scripts/rulegen/regen.py`: it runs this spec and moves each
rule to the pack of its provider's category (`PACK_OF` in regen.py), so some rules written here
live in another pack.

Why this exists: the pack grew from 44 hand-written rules to whole token families. The
hand-written rules stay as they are (the spec reads them back from the current pack and keeps
every rule whose id it does not generate itself, adding only `confidence` and `aliases`); the
rules below are written from each provider's documented token format, with example values drawn
from that format by rulegen. Re-running is idempotent:

    python3 scripts/rulegen/regen.py      # rewrites rules/vcs.toml, rules sorted by id

(hand-written rules are read from scripts/rulegen/hand/vcs.toml.)
"""

import os
import sys

try:
    import tomllib
except ImportError:  # Python < 3.11
    import tomli as tomllib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rulegen import *  # noqa: E402,F401,F403
from rulegen import _R  # noqa: E402

reseed(0x5C_0DE_1)
HERE = os.path.dirname(os.path.abspath(__file__))
PACK = os.path.join(HERE, "..", "..", "rules", "vcs.toml")

HEADER = """# leakless built-in rules: code hosting (GitHub, GitLab, Bitbucket, Atlassian, Gitea, Forgejo,
# Codeberg, Gogs, SourceHut, Phabricator, Gitee) and their CI tokens (GitHub Actions, GitLab CI).
# Format: gitleaks v8 rules plus leakless fields (provider, severity, confidence, aliases, env_var,
# rotate, examples). Example values are randomly generated fakes in the provider's format; none is a
# real credential. Regenerate with `python3 scripts/rulegen/regen.py`."""

# ------------------------------------------------------------------ helpers local to this spec
BASE64URL_CLASS = r"[A-Za-z0-9_\-]"


def fmt(regex, sample):
    return Fmt(regex, sample)


def prefix_negs(env, prefix, sample, extra=()):
    """Negative examples for a prefixed token: placeholder, truncated, prose mention."""
    body = sample[len(prefix):]
    return [
        f"{env}={prefix}<your-token>",
        f"{env}={prefix}{body[: max(4, len(body) // 3)]}",
        f"# tokens look like {prefix}... and are shown only once",
    ] + list(extra)


def pem_body(lines=6):
    out = ["MII" + b64(61)]
    for _ in range(lines - 1):
        out.append(b64(64))
    out.append(b64(40) + "==")
    return out


def spell(prefixes, words):
    """Keywords for every way a key can join a provider prefix to its next word
    (`github_token`, `githubToken`, `github.token`, `github-token`), lower-cased: a narrower
    prefilter than the bare provider name, which is everywhere in URLs and READMEs."""
    return sorted({p + sep + w for p in prefixes for w in words for sep in ("", "_", ".", "-")})


ctx = ctx_rule

rules = []

# ================================================================= GitHub
GH_NAME = r"(?:github|\bgh)"
GH_KW = spell(["github", "gh"], ["token", "pat", "api", "access", "oauth", "auth", "personal"])

rules += [
    ctx("github-oauth-client-secret", "github",
        "GitHub OAuth app / GitHub App client secret (40 hex next to a GitHub client-secret key)",
        name=GH_NAME + r"[_.\-]?(?:oauth[_.\-]?|app[_.\-]?|oauth[_.\-]?app[_.\-]?)?client[_.\-]?secret",
        key="GITHUB_CLIENT_SECRET", value=HEX(40),
        keywords=spell(["github", "gh"], ["client", "oauth", "app"]),
        rotate="https://github.com/settings/developers",
        extra_examples=['GH_CLIENT_SECRET="%s"' % hexs(40),
                        "  GitHubClientSecret: %s" % hexs(40)],
        negatives=["GITHUB_CLIENT_SECRET=${{ secrets.GITHUB_CLIENT_SECRET }}",
                   "github_client_id: Iv1.%s" % hexs(16)]),
    ctx("github-legacy-token", "github",
        "GitHub personal access / OAuth token in the pre-2021 format (40 hex next to a GitHub token key)",
        name=GH_NAME + r"[_.\-]?(?:api[_.\-]?|access[_.\-]?|oauth[_.\-]?|auth[_.\-]?|personal[_.\-]?access[_.\-]?)?(?:token|pat)",
        key="GITHUB_TOKEN", value=HEX(40), keywords=GH_KW, entropy=3.0,
        rotate="https://github.com/settings/tokens",
        extra_examples=["GH_TOKEN=%s" % hexs(40), "github_oauth_token: '%s'" % hexs(40)],
        negatives=["GITHUB_SHA=%s" % hexs(40),
                   "github_token: ${{ secrets.GITHUB_TOKEN }}",
                   "GITHUB_TOKEN=ghp_<classic tokens use a prefix now>"]),
    ctx("github-enterprise-token", "github",
        "GitHub Enterprise Server access token (40 hex next to a GH_ENTERPRISE_TOKEN / GHE token key)",
        name=r"(?:(?:github|\bgh)[_.\-]?enterprise|\bghe)[\w.\-]{0,20}(?:token|pat)",
        key="GH_ENTERPRISE_TOKEN", value=HEX(40),
        keywords=spell(["github", "gh"], ["enterprise"]) + ["ghe_", "ghe-", "ghe."],
        rotate="https://docs.github.com/en/enterprise-server@latest/authentication/keeping-your-account-and-data-secure/managing-your-personal-access-tokens",
        extra_examples=["GITHUB_ENTERPRISE_TOKEN=%s" % hexs(40), "export GHE_TOKEN=%s" % hexs(40)],
        negatives=["GH_ENTERPRISE_TOKEN=$(cat ~/.ghe-token)"]),
    ctx("github-app-installation-token-legacy", "github",
        "GitHub App installation token in the pre-2021 `v1.` format (next to a GitHub key)",
        name=GH_NAME + r"[_.\-]?(?:app[_.\-]?)?(?:installation[_.\-]?)?(?:access[_.\-]?)?token",
        key="GITHUB_INSTALLATION_TOKEN", value=PREFIXED("v1.", HEX(40)),
        keywords=spell(["github", "gh"], ["app", "installation", "access", "token"]),
        rotate="https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/authenticating-as-a-github-app-installation",
        negatives=["github_token_version = v1.2.3"]),
]

# GitHub App private key: a PKCS#1 RSA PEM block next to a GitHub App key name (env var with \n
# escapes, YAML block scalar, or plain multi-line), and the downloaded `<app>.<date>.private-key.pem`.
PEM_BEGIN = "-----BEGIN RSA PRIVATE KEY-----"
PEM_END = "-----END RSA PRIVATE KEY-----"
PEM_VALUE = (r"(-----BEGIN RSA PRIVATE KEY-----(?:\\r|\\n|\s){1,4}MII[A-Za-z0-9+/=\s\\]{200,4000}?"
             r"-----END RSA PRIVATE KEY-----)")


def gh_app_key_examples():
    b = pem_body()
    esc = "\\n".join([PEM_BEGIN] + b + [PEM_END])
    yaml_block = "github_app_private_key: |\n" + "\n".join("  " + x for x in [PEM_BEGIN] + b + [PEM_END])
    b2 = pem_body()
    return [
        f'GITHUB_APP_PRIVATE_KEY="{esc}"',
        yaml_block,
        "export GH_APP_PRIVATE_KEY='" + "\\n".join([PEM_BEGIN] + b2 + [PEM_END]) + "'",
    ]


rules.append(rule(
    "github-app-private-key", "github",
    "GitHub App private key (RSA PEM block assigned to a GitHub App private-key setting)",
    regex=r"(?i:(?:github|\bgh)[\w.\-]{0,30}(?:private[_.\-]?key|pem))[\w.\-]{0,10}[\\\"'`]{0,3}\s{0,3}"
          r"(?:[:=]{1,2}>?|\s)[\s|>\-\\\"'`]{0,12}" + PEM_VALUE,
    keywords=["-----begin rsa private key-----"],
    examples=gh_app_key_examples(),
    negative_examples=[
        "GITHUB_APP_PRIVATE_KEY=${{ secrets.GITHUB_APP_PRIVATE_KEY }}",
        'GITHUB_APP_PRIVATE_KEY="-----BEGIN RSA PRIVATE KEY-----\\n...\\n-----END RSA PRIVATE KEY-----"',
        "github_app_private_key_path: ./app.private-key.pem",
        "SSH_KEY='" + "\\n".join([PEM_BEGIN] + pem_body() + [PEM_END]) + "'",
    ],
    severity="critical", confidence="high", entropy=4.5, env_var="GITHUB_APP_PRIVATE_KEY", window=4500,
    rotate="https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/managing-private-keys-for-github-apps",
    aliases=["private-key"]))

rules.append(rule(
    "github-app-private-key-file", "github",
    "GitHub App private key file as GitHub names it on download (<app>.<yyyy-mm-dd>.private-key.pem)",
    regex=r"(-----BEGIN RSA PRIVATE KEY-----\r?\n(?:[A-Za-z0-9+/=]{1,76}\r?\n){5,80}-----END RSA PRIVATE KEY-----)",
    path=r"(?:^|/)[\w.\-]{1,100}\.\d{4}-\d{2}-\d{2}\.private-key\.pem$",
    keywords=["-----begin rsa private key-----"],
    examples=["\n".join([PEM_BEGIN] + pem_body(8) + [PEM_END]),
              "\n".join([PEM_BEGIN] + pem_body(20) + [PEM_END])],
    negative_examples=[
        "-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----",
        "-----BEGIN PUBLIC KEY-----\n" + "\n".join(pem_body()) + "\n-----END PUBLIC KEY-----",
        "see acme.2024-01-31.private-key.pem for the key",
    ],
    severity="critical", confidence="high", entropy=4.5, env_var="GITHUB_APP_PRIVATE_KEY", window=4500,
    rotate="https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/managing-private-keys-for-github-apps",
    aliases=["private-key"]))

RUNNER_TOKEN = fmt(r"A[A-Z0-9]{28}", lambda: "A" + alnum_upper(28))
rules += [
    rule("github-actions-runner-config-token", "github",
         "GitHub Actions self-hosted runner registration token on a config.sh / config.cmd line",
         regex=r"\bconfig\.(?:sh|cmd)\b[^\n]{0,300}?--token(?:=|\s{1,3})[\"']?(A[A-Z0-9]{28})\b",
         keywords=["config.sh", "config.cmd"],
         examples=[
             "./config.sh --url https://github.com/acme/infra --token %s --unattended" % RUNNER_TOKEN.sample(),
             ".\\config.cmd --url https://github.com/acme --token %s" % RUNNER_TOKEN.sample(),
             "RUN ./config.sh --unattended --url ${REPO_URL} --token=%s --name ci-1" % RUNNER_TOKEN.sample(),
         ],
         negative_examples=[
             "./config.sh --url https://github.com/acme/infra --token ${RUNNER_TOKEN}",
             "./config.sh --url https://github.com/acme/infra --token AXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
             "./config.sh remove --token <token-from-settings>",
             "./config.sh --token %s" % RUNNER_TOKEN.sample()[:20],
         ],
         severity="high", confidence="high", entropy=3.5, env_var="RUNNER_TOKEN",
         rotate="https://docs.github.com/en/actions/hosting-your-own-runners/managing-self-hosted-runners/removing-self-hosted-runners"),
    ctx("github-actions-runner-registration-token", "github",
        "GitHub Actions self-hosted runner registration token (29 upper-case characters next to a runner-token key)",
        name=r"(?:actions[_.\-]?)?runner[_.\-]?(?:registration[_.\-]?|reg[_.\-]?)?token",
        key="ACTIONS_RUNNER_TOKEN", value=RUNNER_TOKEN, entropy=3.5,
        keywords=["runner_token", "runnertoken", "runner.token", "runner-token",
                  "runner_registration_token", "runnerregistrationtoken"],
        rotate="https://docs.github.com/en/actions/hosting-your-own-runners/managing-self-hosted-runners/adding-self-hosted-runners",
        extra_examples=["RUNNER_TOKEN=%s" % RUNNER_TOKEN.sample()],
        negatives=["RUNNER_TOKEN=GR1348941%s" % b62(20)]),
]

# ================================================================= GitLab


def shannon(s):
    import math
    from collections import Counter
    n = len(s)
    return -sum(c / n * math.log2(c / n) for c in Counter(s).values())


def b64url_hi(n, floor=3.9):
    """A base64url value whose entropy clears `floor` (as nearly every real random token does)."""
    while True:
        v = b64url(n)
        if shannon(v) >= floor:
            return v


GL_URLSAFE20 = fmt(r"[A-Za-z0-9_\-]{20}", lambda: b64url_hi(20))
rules += [
    prefix_rule("gitlab-session-cookie", "gitlab", "GitLab session cookie (_gitlab_session)",
                regex=r"\b_gitlab_session=([0-9a-f]{32})\b", keywords=["_gitlab_session="],
                sample=lambda: "_gitlab_session=" + hexs(32), env_var="GITLAB_SESSION_COOKIE",
                contexts=("dotenv", "header", "python"), entropy=3.0,
                rotate="https://docs.gitlab.com/user/profile/active_sessions/",
                aliases=["gitlab-session-cookie"],
                negatives=["Cookie: _gitlab_session=<session-id>",
                           "Cookie: _gitlab_session=%s" % hexs(20),
                           "the _gitlab_session cookie expires after a week"]),
    prefix_rule("gitlab-runner-auth-token-registered", "gitlab",
                "GitLab runner authentication token of a runner registered with a registration token (glrtr-)",
                regex=r"\b(glrtr-(?:t\d_)?(?:[0-9A-Za-z_\-]{27,300}\.[0-9a-z]{2}\.[0-9a-z]{7,9}|[0-9A-Za-z_\-]{20}))(?:[^0-9A-Za-z_\-]|$)",
                keywords=["glrtr-"], sample=lambda: "glrtr-" + b64url(20), env_var="CI_SERVER_TOKEN",
                contexts=("dotenv", "toml", "yaml"), entropy=3.0,
                rotate="https://docs.gitlab.com/ci/runners/runners_scope/",
                aliases=["gitlab-runner-authentication-token"],
                negatives=prefix_negs("CI_SERVER_TOKEN", "glrtr-", "glrtr-" + b64url(20),
                                      ["token = \"glrtr-xxxxxxxxxxxxxxxxxxxxx\""])),
    ctx("gitlab-legacy-personal-access-token", "gitlab",
        "GitLab personal / project / group access token without the glpat- prefix (20 characters next to a GitLab token key)",
        name=r"gitlab[_.\-]?(?:api[_.\-]?|access[_.\-]?|private[_.\-]?|personal[_.\-]?(?:access[_.\-]?)?|project[_.\-]?(?:access[_.\-]?)?|group[_.\-]?(?:access[_.\-]?)?)?(?:token|pat)",
        key="GITLAB_TOKEN", value=GL_URLSAFE20, entropy=3.7,
        rotate="https://gitlab.com/-/user_settings/personal_access_tokens",
        extra_examples=["GITLAB_PRIVATE_TOKEN=%s" % b64url(20)],
        negatives=["GITLAB_TOKEN: CI_REGISTRY_PASSWORD",
                   "GITLAB_TOKEN=glpat-%s" % b64url(20),
                   "gitlab_token = os.environ['GITLAB_TOKEN_FROM_VAULT']"]),
    ctx("gitlab-oauth-access-token", "gitlab",
        "GitLab OAuth 2.0 access or refresh token (64 hex next to a GitLab OAuth key)",
        name=r"gitlab[\w.\-]{0,20}(?:oauth|access|bearer|refresh)[_.\-]?token",
        key="GITLAB_OAUTH_TOKEN", value=HEX(64),
        rotate="https://gitlab.com/-/user_settings/applications"),
    ctx("gitlab-oauth-app-secret-legacy", "gitlab",
        "GitLab OAuth application secret without the gloas- prefix (64 hex next to a GitLab secret key)",
        name=r"gitlab[\w.\-]{0,20}(?:app|application|client|oauth)[_.\-]?secret",
        key="GITLAB_APP_SECRET", value=HEX(64),
        rotate="https://gitlab.com/-/user_settings/applications",
        aliases=["gitlab-oauth-app-secret"]),
    rule("gitlab-runner-registration-token-legacy", "gitlab",
         "GitLab runner registration token without the GR1348941 prefix (gitlab-runner register / GitLab registration-token key)",
         regex=r"(?i)(?:gitlab-runner\s{1,4}register\b[^\n]{0,300}?--registration-token(?:=|\s{1,3})[\"']?|gitlab[\w.\-]{0,30}registration[_.\-]?token"
               + KEY_TAIL + SEP + r")([A-Za-z0-9_\-]{20})" + END,
         keywords=["gitlab"],
         examples=[
             "gitlab-runner register --non-interactive --url https://gitlab.com/ --registration-token %s --executor docker" % b64url(20),
             "GITLAB_RUNNER_REGISTRATION_TOKEN=%s" % b64url(20),
             "  gitlabRegistrationToken: \"%s\"" % b64url(20),
         ],
         negative_examples=[
             "gitlab-runner register --url https://gitlab.com/ --registration-token $REGISTRATION_TOKEN",
             "GITLAB_RUNNER_REGISTRATION_TOKEN=GR1348941%s" % b64url(20),
             "gitlabRegistrationToken: <from the CI/CD settings page>",
             "gitlab-runner register --registration-token %s" % b64url(12),
         ],
         severity="high", confidence="medium", entropy=3.7, env_var="REGISTRATION_TOKEN",
         rotate="https://docs.gitlab.com/ci/runners/new_creation_workflow/",
         aliases=["gitlab-rrt"]),
    rule("gitlab-token-in-url", "gitlab",
         "GitLab access token without a prefix as the password of a GitLab clone URL",
         regex=r"https?://(?:oauth2|gitlab-ci-token|[A-Za-z0-9_.\-]{1,60}):([A-Za-z0-9_\-]{20})@(?:[\w\-]{1,60}\.){0,3}gitlab\.",
         keywords=["gitlab"],
         examples=[
             "git clone https://oauth2:%s@gitlab.com/acme/platform.git" % b64url(20),
             "url = https://deploy-bot:%s@gitlab.acme.io/infra/k8s.git" % b64url(20),
             "git remote set-url origin https://gitlab-ci-token:%s@gitlab.com/acme/web" % b64url(20),
         ],
         negative_examples=[
             "git clone https://oauth2:${GITLAB_TOKEN}@gitlab.com/acme/platform.git",
             "git clone https://oauth2:glpat-%s@gitlab.com/acme/x.git" % b64url(20),
             "https://gitlab.com/acme/platform/-/blob/main/README.md",
         ],
         severity="high", confidence="medium", entropy=3.7, env_var="GITLAB_TOKEN",
         rotate="https://gitlab.com/-/user_settings/personal_access_tokens"),
    ctx("gitlab-deploy-token-legacy", "gitlab",
        "GitLab deploy token without the gldt- prefix (next to a GitLab deploy-token / CI_DEPLOY_PASSWORD key)",
        name=r"(?:gitlab[\w.\-]{0,20}deploy[_.\-]?(?:token|password)|\bci[_.\-]?deploy[_.\-]?password)",
        key="GITLAB_DEPLOY_TOKEN", value=GL_URLSAFE20, entropy=3.7,
        keywords=["gitlab", "ci_deploy_password", "cideploypassword", "ci.deploy.password", "ci-deploy-password"],
        rotate="https://docs.gitlab.com/user/project/deploy_tokens/",
        extra_examples=["CI_DEPLOY_PASSWORD=%s" % b64url(20)],
        negatives=["CI_DEPLOY_PASSWORD=gldt-%s" % b64url(20)]),
]

JWT3 = lambda: ("eyJhbGciOiJSUzI1NiIsImtpZCI6I" + b64url(40) + ".eyJ" + b64url(180) + "." + b64url(342))
rules.append(prefix_rule(
    "gitlab-ci-job-token-jwt", "gitlab", "GitLab CI/CD job token in the JWT format (glcbt- + JWT)",
    regex=r"\b(glcbt-eyJ[A-Za-z0-9_\-]{10,400}\.eyJ[A-Za-z0-9_\-]{10,2000}\.[A-Za-z0-9_\-]{20,700})(?:[^A-Za-z0-9_\-]|$)",
    keywords=["glcbt-eyj"], sample=lambda: "glcbt-" + JWT3(), env_var="CI_JOB_TOKEN",
    contexts=("dotenv", "header", "yaml"), entropy=4.0,
    rotate="https://docs.gitlab.com/ci/jobs/ci_job_token/",
    aliases=["gitlab-cicd-job-token"],
    negatives=["CI_JOB_TOKEN=glcbt-eyJ...", "CI_JOB_TOKEN=glcbt-eyJhbGciOiJSUzI1NiJ9",
               "# job tokens now look like glcbt-<JWT>"]))

# ================================================================= Bitbucket
ATCTT_BODY = lambda: "ATCTT3xFfGN0" + b64url(170) + "=" + hexs(8, upper=True)
rules += [
    prefix_rule("bitbucket-access-token", "bitbucket",
                "Bitbucket Cloud repository / project / workspace access token (ATCTT3xFfGN0 prefix)",
                regex=r"\b(ATCTT3xFfGN0[A-Za-z0-9_=\-]{150,260})(?:[^A-Za-z0-9_=\-]|$)",
                keywords=["atctt3xffgn0"], sample=ATCTT_BODY, env_var="BITBUCKET_ACCESS_TOKEN",
                contexts=("dotenv", "header", "python"), entropy=4.0,
                rotate="https://support.atlassian.com/bitbucket-cloud/docs/revoke-a-repository-access-token/",
                negatives=prefix_negs("BITBUCKET_ACCESS_TOKEN", "ATCTT3xFfGN0", ATCTT_BODY(),
                                      ["BITBUCKET_ACCESS_TOKEN=ATCTT3xFfGN0-EXAMPLE-ONLY"])),
    ctx("bitbucket-client-secret", "bitbucket",
        "Bitbucket OAuth consumer secret (32 characters next to a Bitbucket secret key)",
        name=r"bitbucket[\w.\-]{0,20}(?:client|consumer|oauth|key)[_.\-]?secret",
        key="BITBUCKET_CLIENT_SECRET", value=ALNUM(32), entropy=3.5,
        rotate="https://support.atlassian.com/bitbucket-cloud/docs/use-oauth-on-bitbucket-cloud/",
        aliases=["bitbucket-client-secret"]),
    ctx("bitbucket-oauth-consumer-key", "bitbucket",
        "Bitbucket OAuth consumer key (client id; 18 characters next to a Bitbucket client-id key; low on its own)",
        name=r"bitbucket[\w.\-]{0,20}(?:client[_.\-]?id|consumer[_.\-]?key|oauth[_.\-]?key)",
        key="BITBUCKET_CLIENT_ID", value=ALNUM(18), entropy=3.3, severity="low",
        rotate="https://support.atlassian.com/bitbucket-cloud/docs/use-oauth-on-bitbucket-cloud/",
        aliases=["bitbucket-client-id"]),
    ctx("bitbucket-app-password-legacy", "bitbucket",
        "Bitbucket app password without the ATBB prefix (20 characters next to a Bitbucket password key)",
        name=r"bitbucket[\w.\-]{0,20}(?:app[_.\-]?)?(?:password|passwd|pass)",
        key="BITBUCKET_APP_PASSWORD", value=ALNUM(20), entropy=3.5,
        rotate="https://bitbucket.org/account/settings/app-passwords/",
        negatives=["BITBUCKET_APP_PASSWORD=ATBB%s" % b62(32)]),
    ctx("bitbucket-server-http-access-token", "bitbucket",
        "Bitbucket Data Center / Server HTTP access token (44-character Base64 of id:secret, optional BBDC- prefix)",
        name=r"(?:bitbucket|\bbbdc)[\w.\-]{0,20}(?:token|pat)",
        key="BITBUCKET_SERVER_TOKEN",
        value=fmt(r"(?:BBDC-)?[MNO][A-Za-z0-9+/]{43}", lambda: _R.choice("MNO") + b64(43)),
        entropy=4.0, keywords=["bitbucket", "bbdc"],
        rotate="https://confluence.atlassian.com/bitbucketserver/http-access-tokens-939515499.html",
        extra_examples=["BBDC_TOKEN=BBDC-%s" % (_R.choice("MNO") + b64(43))]),
]

# ================================================================= Atlassian (Jira / Confluence)
rules += [
    ctx("atlassian-api-token-legacy", "atlassian",
        "Atlassian Cloud API token in the pre-2023 format (24 characters next to a Jira / Confluence / Atlassian token key)",
        name=r"(?:atlassian|jira|confluence)[\w.\-]{0,20}(?:api[_.\-]?)?(?:token|key)",
        key="JIRA_API_TOKEN", value=ALNUM(24), entropy=3.5,
        keywords=["atlassian", "jira", "confluence"],
        rotate="https://id.atlassian.com/manage-profile/security/api-tokens",
        aliases=["atlassian-api-token"],
        extra_examples=["CONFLUENCE_API_TOKEN=%s" % b62(24)],
        negatives=["JIRA_API_KEY=%s" % b62(12), "jira_token: JIRA_TOKEN_PLACEHOLDER_1234"]),
    ctx("atlassian-datacenter-personal-access-token", "atlassian",
        "Jira / Confluence Data Center personal access token (44-character Base64 of id:secret)",
        name=r"(?:jira|confluence|atlassian)[\w.\-]{0,20}(?:pat|token|personal[_.\-]?access[_.\-]?token)",
        key="JIRA_PAT", value=fmt(r"[MNO][A-Za-z0-9+/]{43}", lambda: _R.choice("MNO") + b64(43)),
        entropy=4.0, keywords=["atlassian", "jira", "confluence"],
        rotate="https://confluence.atlassian.com/enterprise/using-personal-access-tokens-1026032365.html",
        extra_examples=["CONFLUENCE_TOKEN=%s" % (_R.choice("MNO") + b64(43))]),
]

# ================================================================= Gitea / Forgejo / Codeberg / Gogs
rules += [
    ctx("gitea-access-token", "gitea",
        "Gitea access token (40 hex next to a Gitea token key)",
        name=r"gitea[_.\-]?(?:api[_.\-]?|access[_.\-]?|personal[_.\-]?(?:access[_.\-]?)?|admin[_.\-]?|auth[_.\-]?)?(?:token|pat)",
        key="GITEA_TOKEN", value=HEXI(40),
        rotate="https://docs.gitea.com/development/api-usage#generating-and-listing-api-tokens",
        extra_examples=["GITEA_API_TOKEN=%s" % hexs(40)]),
    ctx("gitea-runner-registration-token", "gitea",
        "Gitea Actions runner registration token (40 characters next to a Gitea runner-token key)",
        name=r"gitea[\w.\-]{0,20}runner[\w.\-]{0,20}token", key="GITEA_RUNNER_REGISTRATION_TOKEN",
        value=ALNUM(40), entropy=3.5,
        rotate="https://docs.gitea.com/usage/actions/act-runner"),
    ctx("gitea-oauth-client-secret", "gitea",
        "Gitea OAuth2 application client secret (gto_ prefix, next to a Gitea secret key)",
        name=r"gitea[\w.\-]{0,20}(?:client|oauth2?|app|application)[_.\-]?secret",
        key="GITEA_CLIENT_SECRET", value=fmt(r"gto_[a-z0-9]{40,64}", lambda: "gto_" + rand(LOWER + "234567", 52)),
        entropy=3.5,
        rotate="https://docs.gitea.com/development/oauth2-provider"),
    rule("gitea-internal-token", "gitea",
         "Gitea / Forgejo INTERNAL_TOKEN (app.ini [security] JWT that authenticates internal API calls)",
         regex=r"(?i:internal_token)[\\\"']{0,2}\s{0,3}[=:]\s{0,3}[\\\"']{0,2}(eyJ[A-Za-z0-9_\-]{10,200}\.eyJ[A-Za-z0-9_\-]{10,400}\.[A-Za-z0-9_\-]{20,200})",
         keywords=["internal_token"],
         examples=[
             "INTERNAL_TOKEN = eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJuYmYiOjE3%s.%s" % (b64url(12), b64url(43)),
             "GITEA__security__INTERNAL_TOKEN=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJuYmYiOjE2%s.%s" % (b64url(12), b64url(43)),
             "FORGEJO__security__INTERNAL_TOKEN: \"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJuYmYiOjE1%s.%s\"" % (b64url(12), b64url(43)),
         ],
         negative_examples=[
             "INTERNAL_TOKEN = ",
             "INTERNAL_TOKEN_URI = file:/etc/gitea/internal_token",
             "INTERNAL_TOKEN = eyJhbGciOiJIUzI1NiJ9",
         ],
         severity="critical", confidence="high", entropy=4.0, env_var="GITEA__security__INTERNAL_TOKEN",
         rotate="https://docs.gitea.com/administration/config-cheat-sheet#security-security"),
    rule("gitea-lfs-jwt-secret", "gitea",
         "Gitea / Forgejo LFS_JWT_SECRET (app.ini; signs Git LFS access tokens)",
         regex=r"(?i:lfs_jwt_secret)[\\\"']{0,2}\s{0,3}[=:]\s{0,3}[\\\"']{0,2}([A-Za-z0-9_\-]{43})(?:[^A-Za-z0-9_\-]|$)",
         keywords=["lfs_jwt_secret"],
         examples=["LFS_JWT_SECRET = %s" % b64url(43),
                   "GITEA__server__LFS_JWT_SECRET=%s" % b64url(43),
                   "      - FORGEJO__server__LFS_JWT_SECRET=%s" % b64url(43)],
         negative_examples=["LFS_JWT_SECRET = ", "LFS_JWT_SECRET_URI = file:/etc/gitea/lfs_jwt_secret",
                            "LFS_JWT_SECRET = %s" % b64url(20)],
         severity="high", confidence="high", entropy=4.0, env_var="GITEA__server__LFS_JWT_SECRET",
         rotate="https://docs.gitea.com/administration/config-cheat-sheet#server-server"),
    ctx("forgejo-access-token", "forgejo",
        "Forgejo access token (40 hex next to a Forgejo token key)",
        name=r"forgejo[_.\-]?(?:api[_.\-]?|access[_.\-]?|personal[_.\-]?(?:access[_.\-]?)?|admin[_.\-]?|auth[_.\-]?)?(?:token|pat)",
        key="FORGEJO_TOKEN", value=HEXI(40),
        rotate="https://forgejo.org/docs/latest/user/token-scope/"),
    ctx("forgejo-runner-secret", "forgejo",
        "Forgejo Actions runner registration token / shared secret (next to a Forgejo runner key)",
        name=r"forgejo[\w.\-]{0,20}runner[\w.\-]{0,20}(?:token|secret)", key="FORGEJO_RUNNER_TOKEN",
        value=ALNUM(40), entropy=3.5,
        rotate="https://forgejo.org/docs/latest/admin/actions/runner-installation/"),
    ctx("codeberg-access-token", "codeberg",
        "Codeberg (Forgejo) access token (40 hex next to a Codeberg token key)",
        name=r"codeberg[\w.\-]{0,20}(?:token|pat)", key="CODEBERG_TOKEN", value=HEXI(40),
        rotate="https://codeberg.org/user/settings/applications"),
    ctx("gogs-access-token", "gogs",
        "Gogs access token (40 hex next to a Gogs token key)",
        name=r"gogs[\w.\-]{0,20}(?:token|pat)", key="GOGS_TOKEN", value=HEXI(40),
        rotate="https://gogs.io/docs/features/api"),
]

# ================================================================= SourceHut, Phabricator, Gitee
rules += [
    ctx("sourcehut-access-token", "sourcehut",
        "SourceHut (sr.ht) personal access / OAuth 2.0 token (next to a SourceHut token key)",
        name=r"(?:sourcehut|\bsrht|sr[_.\-]ht)[\w.\-]{0,20}(?:token|pat|oauth)",
        key="SRHT_TOKEN", value=fmt(r"[A-Za-z0-9+/_\-]{60,180}={0,2}", lambda: b64(96)),
        entropy=4.0, keywords=["sourcehut", "srht", "sr.ht", "sr_ht", "sr-ht"],
        rotate="https://meta.sr.ht/oauth2"),
    ctx("phabricator-conduit-token", "phabricator",
        "Phabricator / Phorge Conduit API token (api- + 28 characters next to a Phabricator / Conduit key)",
        name=r"(?:phabricator|phorge|conduit)[\w.\-]{0,20}(?:token|key)",
        key="PHABRICATOR_API_TOKEN", value=PREFIXED("api-", LOWERNUM(28)),
        keywords=["phabricator", "phorge"] + spell(["conduit"], ["api", "token", "key"]),
        rotate="https://secure.phabricator.com/book/phabricator/article/conduit/"),
    ctx("gitee-access-token", "gitee",
        "Gitee personal access token (32 hex next to a Gitee token key)",
        name=r"gitee[\w.\-]{0,20}(?:token|pat)", key="GITEE_TOKEN", value=HEXI(32),
        rotate="https://gitee.com/profile/personal_access_tokens"),
    ctx("gitee-client-secret", "gitee",
        "Gitee OAuth application client secret (64 hex next to a Gitee secret key)",
        name=r"gitee[\w.\-]{0,20}(?:client|app|oauth)[_.\-]?secret", key="GITEE_CLIENT_SECRET",
        value=HEXI(64),
        rotate="https://gitee.com/oauth/applications"),
]

GENERATED = {r["id"] for r in rules}

# ------------------------------------------------------------------ hand-written rules, read back
CTX_HAND = {"travis-ci-api-token", "codecov-upload-token", "snyk-api-token", "azure-devops-pat-legacy"}
HAND_ALIASES = {
    "github-pat-classic": ["github-pat"],
    "github-oauth-token": ["github-oauth"],
    "github-user-to-server-token": ["github-app-token"],
    "github-server-to-server-token": ["github-app-token"],
    "github-refresh-token": ["github-refresh-token"],
    "github-fine-grained-pat": ["github-fine-grained-pat"],
    "gitlab-personal-access-token": ["gitlab-pat", "gitlab-pat-routable"],
    "gitlab-deploy-token": ["gitlab-deploy-token"],
    "gitlab-oauth-app-secret": ["gitlab-oauth-app-secret"],
    "gitlab-pipeline-trigger-token": ["gitlab-ptt"],
    "gitlab-agent-token": ["gitlab-kubernetes-agent-token"],
    "gitlab-feed-token": ["gitlab-feed-token"],
    "gitlab-incoming-mail-token": ["gitlab-incoming-mail-token"],
    "gitlab-scim-oauth-token": ["gitlab-scim-token"],
    "gitlab-feature-flags-client-token": ["gitlab-feature-flag-client-token"],
    "gitlab-runner-auth-token": ["gitlab-runner-authentication-token", "gitlab-runner-authentication-token-routable"],
    "gitlab-runner-registration-token": ["gitlab-rrt"],
    "gitlab-ci-job-token": ["gitlab-cicd-job-token"],
    "atlassian-api-token": ["atlassian-api-token"],
    "travis-ci-api-token": ["travisci-access-token"],
    "codecov-upload-token": ["codecov-access-token"],
    "snyk-api-token": ["snyk-api-token"],
    "postman-api-key": ["postman-api-token"],
    "npm-access-token": ["npm-access-token"],
    "pypi-upload-token": ["pypi-upload-token"],
    "rubygems-api-key": ["rubygems-api-token"],
    "jfrog-api-key": ["artifactory-api-key", "jfrog-api-key"],
    "jfrog-reference-token": ["artifactory-reference-token"],
    "terraform-cloud-api-token": ["hashicorp-tf-api-token"],
    "clojars-deploy-token": ["clojars-api-token"],
    "sourcegraph-access-token": ["sourcegraph-access-token"],
}


def hand_rules():
    with open(hand_path("vcs"), "rb") as f:
        doc = tomllib.load(f)
    out = []
    for t in doc.get("rules", []):
        if t["id"] in GENERATED:
            continue
        r = Rule(
            id=t["id"], description=t["description"], provider=t["provider"],
            severity=t.get("severity", "high"),
            confidence=t.get("confidence", "medium" if t["id"] in CTX_HAND else "high"),
            keywords=t.get("keywords", []), regex=t.get("regex"),
            secretGroup=t.get("secretGroup", 0), entropy=t.get("entropy"), env_var=t.get("env_var"),
            rotate=t.get("rotate"), aliases=t.get("aliases") or HAND_ALIASES.get(t["id"], []),
            checksum=t.get("checksum"), window=t.get("window"), path=t.get("path"),
            examples=t.get("examples", []), negative_examples=t.get("negative_examples", []))
        out.append(reskeleton(r))
    return out


def main():
    import io
    import contextlib
    everything = hand_rules() + rules
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        emit(everything, HEADER)
    text = buf.getvalue()
    if "--write" in sys.argv:
        with open(PACK, "w") as f:
            f.write(text)
        print(f"rules/vcs.toml: {len(everything)} rules ({len(rules)} generated)", file=sys.stderr)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
