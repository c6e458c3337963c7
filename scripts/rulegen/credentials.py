"""Spec of rules/credentials.toml: credentials found by their *container* -- a password in a URL's
user-info for every non-database scheme, connection strings (ODBC, ADO.NET, OLE DB), the config files
that hold registry and host credentials (.netrc, .npmrc, .yarnrc.yml, .pypirc, Maven settings.xml,
gradle.properties, .git-credentials, Docker config.json, kubeconfig, composer auth.json, NuGet.Config,
rclone.conf, .pgpass, my.cnf), passwords on command lines (curl, wget, sshpass, mysql, docker login,
redis-cli, openssl, keytool), password hashes (low severity) and web-framework secrets (WordPress,
Rails, Laravel, Django, Flask, Symfony).

Regenerate every pack with `python3 scripts/rulegen/regen.py`: it runs this spec and moves each
rule to the pack of its provider's category (`PACK_OF` in regen.py), so some rules written here
live in another pack.

Database URL schemes live in rules/databases.toml. Run:
    python3 scripts/rulegen/regen.py
"""

from ckd_common import *  # noqa: F401,F403
from ckd_common import (ciphertext_allowlist, dummy_allowlist, emit, password_sample, url_host_allowlist, url_regex, url_text_allowlist,
                        with_allow)

reseed(0xC4ED)

RULES = []


def add(r, *allow):
    if allow:
        with_allow(r, *allow)
    if r["severity"] != "low":
        with_allow(r, ciphertext_allowlist())
    RULES.append(r)
    return r


HOSTS = ["files.corp-internal.net", "10.20.4.17", "mq.prod.svc.cluster.local", "vault-db.eu-west-1.internal",
         "ops.acme-intra.io", "build01.lan"]


def host():
    return rulegen._R.choice(HOSTS)


def user():
    return rulegen._R.choice(["deploy", "svc_backup", "ci-bot", "etl", "reporter", "app", "jenkins", "ops"])


# ------------------------------------------------------------------------------------ URL schemes
URL_NEG_COMMON = [
    "{s}://{u}:${{{E}}}@{h}/",
    "{s}://user:password@{h}/",
    "{s}://{u}:****@{h}/",
    "{s}://{u}@{h}/",
    "{s}://{h}:2121/path",
    "{s}://{u}:<password>@{h}/",
    "f\"{s}://{{user}}:{{password}}@{{host}}/\"",
    "{s}://%s:%s@%s/",
]


def url_rule(id, provider, description, schemes, keywords, sample_schemes, env_var, *, rotate=None,
             paths_tail="/", severity="high", entropy=2.8, extra_neg=(), aliases=None, allow=(), dotted=False):
    ex = []
    syntaxes = [
        lambda s, u, p, h: f"{env_var}={s}://{u}:{p}@{h}{paths_tail}",
        lambda s, u, p, h: f"  url: \"{s}://{u}:{p}@{h}{paths_tail}\"",
        lambda s, u, p, h: f"client.connect('{s}://{u}:{p}@{h}{paths_tail}')",
    ]
    for i, syn in enumerate(syntaxes):
        s = sample_schemes[i % len(sample_schemes)]
        ex.append(syn(s, user(), password_sample(), host()))
    s0 = sample_schemes[0]
    neg = [n.format(s=s0, u=user(), h=host(), E=env_var) for n in URL_NEG_COMMON]
    neg.append(f"{env_var}={s0}://guest:guest@localhost/")
    neg += list(extra_neg)
    neg.append(f"{env_var}={s0}://{user()}:{password_sample()}@localhost{paths_tail}")
    # A machine-made password on a documentation host is reported (the host was redacted, the
    # password forgotten); a documentation password there is not.
    ex.append(f"Connect with {s0}://{user()}:{password_sample()}@docs.example.com{paths_tail}")
    neg.append(f"Connect with {s0}://deploy:my-docs-password@docs.example.com{paths_tail}")
    r = rule(id, provider, description, url_regex(schemes, dotted), keywords, ex, neg, severity=severity,
             confidence="high", entropy=entropy, env_var=env_var, rotate=rotate, aliases=aliases)
    return add(r, dummy_allowlist(), url_host_allowlist(), url_text_allowlist(), *allow)


GITCRED_PATH = r"(?:^|/)\.?git-credentials$"
url_rule("http-url-password", "http-basic-auth", "HTTP(S) URL with a user:password in its user-info (basic auth, proxies, registries)",
         r"https?|git\+https?", ["http://", "https://"], ["https", "http", "https"], "HTTP_PROXY",
         paths_tail=":8443/", entropy=3.0, dotted=True, extra_neg=[
             "see https://user:pass@example.com for the format",
             "proxy = \"http://proxyuser:proxypass@proxy.example.com:3128\"",
             "https://x-access-token:${GITHUB_TOKEN}@github.com/org/repo.git",
             "https://oauth2:$CI_JOB_TOKEN@gitlab.com/group/project.git",
             "\"input\": \"http://&a:foo(b]c@d:2/\"",
             "https://jo%40email.com:a%20secret@m\u00fcller.de:1234/",
             "http://%C3%BCser:p%C3%A4ssword@xn--n3h.net/p%C3%A5th",
             "url = 'elasticsearch+https://fake_user:fake_pass@es.internal:9200/index'",
             "ELASTIC_URL=https://elastic:Zt4kW9qPm3VxRb7n@search.internal:9200",
         ],
         allow=[{"paths": [GITCRED_PATH]},
                {"description": "CouchDB and Elasticsearch/OpenSearch URLs (their own rules in databases.toml)", "regexTarget": "line",
                 "regexes": [r"(?i)@[A-Za-z0-9.\-]{1,120}:(?:5984|6984|9200|9243)\b|\.(?:cloudant\.com|cloudantnosqldb\.appdomain\.cloud|es\.io|elastic-cloud\.com|found\.io|bonsai(?:search)?\.(?:io|net)|searchly\.com)\b"]}],
         aliases=["sidekiq-sensitive-url"])
url_rule("ftp-url-password", "ftp", "FTP / FTPS URL with an embedded password", r"ftps?|ftpes",
         ["ftp://", "ftps://", "ftpes://"], ["ftp", "ftps", "ftp"], "FTP_URL", paths_tail="/upload/")
url_rule("sftp-url-password", "sftp", "SFTP / SCP URL with an embedded password", r"sftp|scp",
         ["sftp://", "scp://"], ["sftp", "scp", "sftp"], "SFTP_URL", paths_tail=":22/incoming/")
url_rule("ssh-url-password", "ssh", "SSH URL with an embedded password (ssh://user:pass@host)", r"ssh|git\+ssh|svn\+ssh",
         ["ssh://"], ["ssh", "git+ssh", "ssh"], "SSH_URL", paths_tail=":22/")
url_rule("ldap-url-password", "ldap", "LDAP / LDAPS URL with an embedded bind password", r"ldaps?|ldapi",
         ["ldap://", "ldaps://"], ["ldaps", "ldap", "ldaps"], "LDAP_URL", paths_tail=":636/dc=corp,dc=local",
         rotate=None)
url_rule("smtp-url-password", "smtp", "SMTP URL with an embedded password (mail relay credentials)", r"smtps?|submission|smtp\+starttls|smtp\+ssl",
         ["smtp://", "smtps://", "submission://", "smtp+"], ["smtp", "smtps", "smtp+starttls"], "EMAIL_URL", paths_tail=":587")
url_rule("imap-url-password", "imap", "IMAP URL with an embedded password", r"imaps?",
         ["imap://", "imaps://"], ["imaps", "imap", "imaps"], "IMAP_URL", paths_tail=":993/INBOX")
url_rule("pop3-url-password", "pop3", "POP3 URL with an embedded password", r"pop3s?|pops?",
         ["pop3://", "pop3s://", "pop://", "pops://"], ["pop3s", "pop3", "pops"], "POP3_URL", paths_tail=":995")
url_rule("mqtt-url-password", "mqtt", "MQTT broker URL with an embedded password", r"mqtts?|mqtt\+ssl|mqtt\+tls",
         ["mqtt://", "mqtts://", "mqtt+"], ["mqtts", "mqtt", "mqtt+ssl"], "MQTT_URL", paths_tail=":8883")
url_rule("nats-url-password", "nats", "NATS URL with an embedded password", r"nats|tls\+nats|nats\+tls",
         ["nats://", "nats+tls://", "tls+nats://"], ["nats", "nats+tls", "nats"], "NATS_URL", paths_tail=":4222")
url_rule("message-broker-url-password", "rabbitmq", "Message-broker URL with an embedded password in the schemes AMQP clients use besides amqp:// (rabbitmq://, librabbitmq://, pyamqp://, qpid://, sqla+...)",
         r"rabbitmqs?|librabbitmq|pyamqp|py-amqp|qpid|amqp10|azureservicebus|zookeeper|beanstalk|consul|etcd", ["rabbitmq://", "rabbitmqs://", "librabbitmq://", "pyamqp://",
          "py-amqp://", "qpid://", "amqp10://", "azureservicebus://", "zookeeper://", "beanstalk://", "consul://", "etcd://"],
         ["rabbitmq", "pyamqp", "librabbitmq"], "BROKER_URL", paths_tail=":5672/vhost")
url_rule("kafka-url-password", "kafka", "Kafka broker URL with embedded SASL credentials", r"kafka(?:\+ssl|\+sasl_ssl|\+sasl)?",
         ["kafka://", "kafka+"], ["kafka", "kafka+ssl", "kafka+sasl_ssl"], "KAFKA_URL", paths_tail=":9093")
url_rule("websocket-url-password", "websocket", "WebSocket (ws/wss) URL with an embedded password", r"wss?",
         ["ws://", "wss://"], ["wss", "ws", "wss"], "WS_URL", paths_tail="/socket")
url_rule("socks-proxy-url-password", "socks-proxy", "SOCKS proxy URL with an embedded password", r"socks[45][ah]?|socks",
         ["socks5://", "socks5h://", "socks4://", "socks4a://", "socks://"], ["socks5", "socks5h", "socks4a"], "ALL_PROXY",
         paths_tail=":1080")
url_rule("svn-url-password", "svn", "Subversion URL with an embedded password", r"svn",
         ["svn://"], ["svn", "svn", "svn"], "SVN_URL", paths_tail="/repos/trunk")
url_rule("git-url-password", "git", "git:// URL with an embedded password", r"git",
         ["git://"], ["git", "git", "git"], "GIT_URL", paths_tail="/org/repo.git")
url_rule("smb-url-password", "smb", "SMB / CIFS URL with an embedded password", r"smb|cifs",
         ["smb://", "cifs://"], ["smb", "cifs", "smb"], "SMB_URL", paths_tail="/share/backups")
url_rule("vnc-url-password", "vnc", "VNC / RDP URL with an embedded password", r"vnc|rdp",
         ["vnc://", "rdp://"], ["vnc", "rdp", "vnc"], "VNC_URL", paths_tail=":5900")
url_rule("webdav-url-password", "webdav", "WebDAV URL with an embedded password", r"davs?|webdavs?",
         ["dav://", "davs://", "webdav://", "webdavs://"], ["davs", "webdav", "dav"], "WEBDAV_URL", paths_tail="/remote.php/dav/")
url_rule("stomp-url-password", "stomp", "STOMP / OpenWire (ActiveMQ, Artemis) URL with an embedded password",
         r"stomp(?:\+ssl|s)?|activemq|artemis", ["stomp://", "stomp+ssl://", "stomps://", "activemq://", "artemis://"],
         ["stomp", "stomp+ssl", "activemq"], "STOMP_URL", paths_tail=":61613")
url_rule("rtsp-url-password", "rtsp", "RTSP camera / media stream URL with an embedded password", r"rtsps?|rtmps?",
         ["rtsp://", "rtsps://", "rtmp://", "rtmps://"], ["rtsp", "rtsps", "rtmp"], "CAMERA_URL", paths_tail=":554/stream1")
url_rule("telnet-url-password", "telnet", "Telnet URL with an embedded password", r"telnet",
         ["telnet://"], ["telnet", "telnet", "telnet"], "TELNET_URL", paths_tail=":23")
url_rule("xmpp-url-password", "xmpp", "XMPP / IRC URL with an embedded password", r"xmpp|ircs?",
         ["xmpp://", "irc://", "ircs://"], ["xmpp", "ircs", "irc"], "CHAT_URL", paths_tail=":6697")


# Object-store URLs carry an access key id and secret key (Hadoop s3a://, kombu sqs://).
def aws_url_examples():
    out = []
    for s in ["s3a", "s3", "sqs"]:
        ak = "AKIA" + rand(B32, 16)
        sk = b64(40).replace("+", "/")
        out.append(f"fs.defaultFS={s}://{ak}:{sk}@data-lake-bucket/raw" if s != "sqs" else
                   f"BROKER_URL = 'sqs://{ak}:{sk}@'")
    return out


add(rule("s3-url-credentials", "aws", "Object-store URL (s3://, s3a://, s3n://, sqs://) with an access key and secret key",
         r"""(?i)\b(?:s3[an]?|sqs|gs|oss|cos)://(?:AKIA|ASIA|[A-Z0-9]{4})[A-Z0-9]{12,16}:((?:[A-Za-z0-9+/]|%2[Ff]|%2[Bb]){40,60})@""",
         ["s3://", "s3a://", "s3n://", "sqs://", "gs://", "oss://", "cos://"], aws_url_examples(),
         ["s3://data-lake-bucket/raw/2024/", "s3a://AKIAXXXXXXXXXXXXXXXX:${AWS_SECRET_ACCESS_KEY}@bucket/",
          "sqs://@", "sqs://AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY@",
          "s3://user:password@bucket/"],
         severity="critical", entropy=4.0, env_var="AWS_SECRET_ACCESS_KEY",
         rotate="https://console.aws.amazon.com/iam/home#/security_credentials"))

# ------------------------------------------------------------------------------ connection strings
CS_PW = r"""([^;{}"'\s$%<>@][^;"'\s]{3,127})"""


def cs_examples(kind):
    pw = password_sample(16).replace(";", "")
    h = host()
    if kind == "odbc":
        return [
            f"conn = pyodbc.connect(\"DRIVER={{ODBC Driver 18 for SQL Server}};SERVER=tcp:{h},1433;DATABASE=sales;UID=etl;PWD={pw}\")",
            f"Driver={{PostgreSQL Unicode}};Server={host()};Port=5432;Database=ops;Uid=report;Pwd={password_sample(14)};",
            f"DSN=warehouse;UID=loader;PWD={password_sample(20)}",
        ]
    if kind == "adonet":
        return [
            f"\"DefaultConnection\": \"Server={h};Database=Billing;User Id=svc_billing;Password={pw};TrustServerCertificate=True\"",
            f"ConnectionStrings__Main=Data Source={host()},1433;Initial Catalog=crm;User ID=crm_app;Password={password_sample(14)};",
            f"var cs = \"Host={host()};Port=5432;Username=app;Password={password_sample(18)};Database=orders\";",
        ]
    return [
        f"Provider=SQLOLEDB;Data Source={h};Initial Catalog=legacy;User Id=vb6;Password={pw};",
        f"cn.Open \"Provider=MSOLEDBSQL;Server={host()};Database=erp;UID=erp;PWD={password_sample(14)};\"",
        f"Provider=Microsoft.ACE.OLEDB.12.0;Data Source=C:\\data\\prices.accdb;Jet OLEDB:Database Password={password_sample(12)};",
    ]


add(rule("odbc-connection-string-password", "odbc", "ODBC connection string (Driver=/DSN=) with a PWD=/Password= value",
         r"""(?i)\b(?:driver|dsn)\s{0,2}=\s{0,2}(?:\{[^}\r\n]{1,100}\}|[^;"'\r\n]{1,100})(?:;[^;"'\r\n]{0,100}){0,10}?;\s{0,2}(?:pwd|password)\s{0,2}=\s{0,2}""" + CS_PW,
         ["driver=", "dsn="], cs_examples("odbc"),
         ["DRIVER={ODBC Driver 18 for SQL Server};SERVER=db;DATABASE=x;UID=sa;PWD=${SA_PASSWORD}",
          "Driver={SQL Server};Server=db;Trusted_Connection=yes;",
          "DSN=warehouse;UID=loader;PWD=password",
          "DRIVER={ODBC Driver 17};SERVER=db;UID=u;PWD=%s",
          "driver=postgres and the dsn=... are read from the environment"],
         severity="high", entropy=2.5, env_var="ODBC_CONNECTION_STRING"), dummy_allowlist())
add(rule("adonet-connection-string-password", "ado-net", "ADO.NET connection string (Server=/Data Source=/Host=...;Password=) with a password",
         r"""(?im)(?:^|[^;\w\s])\s{0,3}(?:server|data source|datasource|host|address|addr|network address)\s{0,2}=\s{0,2}[^;"'\r\n]{1,200};(?:[^;"'\r\n]{0,100};){0,10}?\s{0,2}(?:password|pwd)\s{0,2}=\s{0,2}""" + CS_PW,
         ["server=", "data source=", "datasource=", "host=", "address="], cs_examples("adonet"),
         ["\"DefaultConnection\": \"Server=(localdb)\\\\mssqllocaldb;Database=App;Trusted_Connection=True\"",
          "Server=db;Database=App;User Id=sa;Password=${SA_PASSWORD};",
          "Server=db;Database=App;User Id=sa;Password=Password123;",
          "Server=myServerAddress;Database=myDataBase;User Id=myUsername;Password=myPassword;",
          "Data Source=.;Initial Catalog=x;Integrated Security=SSPI;"],
         severity="high", entropy=2.5, env_var="ConnectionStrings__Default"),
    dummy_allowlist(),
    {"description": "connectionstrings.com placeholders", "regexTarget": "secret", "regexes": [r"(?i)^my[A-Z_]?\w*$"]})
add(rule("oledb-connection-string-password", "oledb", "OLE DB connection string (Provider=...) with a password",
         r"""(?i)\bprovider\s{0,2}=\s{0,2}(?:sqloledb|msoledbsql|sqlncli|microsoft\.(?:jet|ace)\.oledb|oraoledb|msdaora|ibmda400|ibmdadb2|db2oledb|mysqlprov|pgnp|ase)[^;"'\r\n]{0,40};(?:[^;"'\r\n]{0,100};){0,10}?\s{0,2}(?:password|pwd|jet oledb:database password)\s{0,2}=\s{0,2}""" + CS_PW,
         ["provider="], cs_examples("oledb"),
         ["Provider=SQLOLEDB;Data Source=db;Initial Catalog=x;Integrated Security=SSPI;",
          "Provider=SQLOLEDB;Data Source=db;User Id=sa;Password=;",
          "Provider=MSOLEDBSQL;Server=db;UID=erp;PWD=<password>;",
          "Provider=Microsoft.ACE.OLEDB.12.0;Data Source=C:\\data\\x.accdb;"],
         severity="high", entropy=2.5, env_var="OLEDB_CONNECTION_STRING"), dummy_allowlist())

# --------------------------------------------------------------------------------- config files
NETRC_PATH = r"(?:^|/)[._]?netrc$"
add(rule("netrc-password", "netrc", ".netrc / _netrc entry (machine ... login ... password ...)",
         r"""(?:\bmachine\s{1,8}[^\s]{1,253}|\bdefault)\s{1,8}(?:(?:login|account)\s{1,8}[^\s]{1,128}\s{1,8}){0,2}password\s{1,8}([^\s$%{<>][^\s]{3,255})""",
         ["password"], [
             f"machine api.heroku.com\n  login ops@corp.io\n  password {b62(8)}-{hexs(4)}-{hexs(4)}-{hexs(12)}",
             f"machine {host()} login {user()} password {password_sample()}",
             f"default login anonymous password {password_sample(12)}",
         ], ["machine api.heroku.com\n  login me@corp.io\n  password $HEROKU_API_KEY",
             "machine github.com login x password password",
             "machine github.com login octocat password <token>"],
         severity="high", confidence="high", entropy=2.5, env_var="NETRC",
         path=NETRC_PATH), dummy_allowlist())
add(rule("netrc-inline-credentials", "netrc", "A .netrc line (machine HOST login USER password PASS) written inline, e.g. by a Dockerfile or CI script",
         r"""\bmachine\s{1,4}[A-Za-z0-9.\-]{1,253}\s{1,4}login\s{1,4}[^\s"'$]{1,128}\s{1,4}password\s{1,4}([^\s"'$<>{%\\][^\s"'<>\\]{3,255})""",
         ["machine"], [
             f"RUN echo \"machine github.com login ci-bot password ghp_{b62(36)}\" > /root/.netrc",
             f"printf 'machine {host()} login {user()} password {password_sample()}\\n' >> ~/.netrc",
             f"- run: echo 'machine git.corp.io login deploy password {password_sample(24)}' > $HOME/.netrc",
         ], ["echo \"machine github.com login $GH_USER password $GH_TOKEN\" > ~/.netrc",
             "machine example.com login user password password",
             "the state machine login flow has a password step",
             "echo \"machine github.com login x password ${{ secrets.GH_TOKEN }}\" > ~/.netrc"],
         severity="high", entropy=2.5, env_var="NETRC"), dummy_allowlist(),
    {"description": ".netrc files (their own rule)", "paths": [NETRC_PATH]})

NPM_ALLOW = {"description": "tokens that a provider rule reports (npm_, GitHub, GitLab)", "regexTarget": "secret",
             "regexes": [r"^(?:npm_[A-Za-z0-9]{36}|gh[pousr]_[A-Za-z0-9]{36}|github_pat_\w{82}|glpat-[\w\-]{20,})$"]}
add(rule("npmrc-auth-token", "npm", ".npmrc registry auth token (//registry/:_authToken=...)",
         r"""(?m)(?:^[ \t]{0,4}|//[^\s:="']{1,200}/:)_authToken\s{0,2}[= ]\s{0,2}["']?([^\s"'$%{<>][^\s"']{15,511})""",
         ["_authtoken"], [
             f"//npm.pkg.github.com/:_authToken={b64url(40)}",
             f"//corp.jfrog.io/artifactory/api/npm/npm/:_authToken=eyJ2ZXIiOiIyIiwidHlwIjoiSldUIiwiYWxnIjoiUlMyNTYifQ.{b64url(60)}",
             f"//pkgs.dev.azure.com/org/_packaging/feed/npm/registry/:_authToken={b64(52)}",
         ], ["//registry.npmjs.org/:_authToken=${NPM_TOKEN}",
             "//registry.npmjs.org/:_authToken=npm_" + b62(36),
             "//registry.npmjs.org/:_authToken=<your-token>",
             "const _authToken = getToken();"],
         severity="high", entropy=3.0, env_var="NPM_TOKEN",
         rotate="https://docs.npmjs.com/revoking-access-tokens"), NPM_ALLOW)
add(rule("npmrc-basic-auth", "npm", ".npmrc _auth (base64 of user:password)",
         r"""(?m)(?:^[ \t]{0,4}|//[^\s:="']{1,200}/:)_auth\s{0,2}=\s{0,2}["']?([A-Za-z0-9+/]{8,512}={0,2})(?:["'\s]|$)""",
         ["_auth"], [
             "_auth=" + "ZGVwbG95OlF6OHZLbTJ4UHQ5TA==",
             "//nexus.corp.io/repository/npm-private/:_auth=Y2ktYm90OkhzNzJrUHE5TG0zeFd2OFo=",
             "  _auth = \"cmVsZWFzZTpOZDgya0x3UTlwWm0=\"",
         ], ["_auth=${NPM_AUTH}", "//registry/:_auth=", "self._auth = credentials", "_auth = None"],
         severity="high", entropy=3.0, env_var="NPM_AUTH"))
add(rule("npmrc-password", "npm", ".npmrc _password (base64 of the registry password)",
         r"""(?m)(?:^[ \t]{0,4}|//[^\s:="']{1,200}/:)_password\s{0,2}=\s{0,2}["']?([A-Za-z0-9+/]{8,512}={0,2})(?:["'\s]|$)""",
         ["_password"], [
             "//pkgs.dev.azure.com/org/_packaging/feed/npm/registry/:_password=" + b64(52) + "==",
             "//nexus.corp.io/repository/npm/:_password=SHM3MmtQcTlMbTN4V3Y4Wg==",
             "_password=TmQ4MmtMd1E5cFptUnQ=",
         ], ["//registry/:_password=${NPM_PASSWORD}", "self._password = password",
             "//registry/:_password=<base64>"],
         severity="high", entropy=3.0, env_var="NPM_PASSWORD"))
add(rule("yarnrc-npm-auth-token", "npm", ".yarnrc.yml npmAuthToken", r"""\bnpmAuthToken:\s{0,4}["']?([^\s"'$%{<>][^\s"']{15,511})""",
         ["npmauthtoken"], [f"npmAuthToken: {b64url(36)}", f"npmScopes:\n  corp:\n    npmAuthToken: \"{b64url(40)}\"",
                            f"    npmAuthToken: {b62(44)}"],
         ["npmAuthToken: \"${NPM_TOKEN}\"", "npmAuthToken: ${NPM_TOKEN-}", "npmAuthToken: <token>", "npmAuthToken: npm_" + b62(36)],
         severity="high", entropy=3.0, env_var="YARN_NPM_AUTH_TOKEN"), NPM_ALLOW)
add(rule("yarnrc-npm-auth-ident", "npm", ".yarnrc.yml npmAuthIdent (user:password or its base64)",
         r"""\bnpmAuthIdent:\s{0,4}["']?([^\s"':$%{<>]{1,128}:[^\s"']{4,255}|[A-Za-z0-9+/]{12,512}={0,2})(?:["'\s]|$)""",
         ["npmauthident"], [f"npmAuthIdent: \"deploy:{password_sample()}\"", "npmAuthIdent: ZGVwbG95OlF6OHZLbTJ4UHQ5TA==",
                            f"  npmAuthIdent: ci-bot:{password_sample(14)}"],
         ["npmAuthIdent: \"${NPM_AUTH_IDENT}\"", "npmAuthIdent: user:password", "npmAuthIdent: <ident>"],
         severity="high", entropy=2.8, env_var="YARN_NPM_AUTH_IDENT"), dummy_allowlist(),
    {"description": "documentation idents", "regexTarget": "secret", "regexes": [r"(?i)^(?:user(?:name)?|admin|me|foo|name):(?:pass(?:word)?|secret|token)$"]})
add(rule("pypirc-password", "pypi", ".pypirc repository password (under [pypi], [testpypi] or a private index)",
         r"""(?m)^\[[\w.\-]{1,64}\][^\[]{0,2000}?^[ \t]{0,4}password[ \t]{0,2}[=:][ \t]{0,2}([^\s"'$%{<>][^\s]{3,255})""",
         ["password"], [
             f"[distutils]\nindex-servers = corp\n\n[corp]\nrepository = https://nexus.corp.io/repository/pypi/\nusername = deploy\npassword = {password_sample()}",
             f"[pypi]\nusername = release-bot\npassword = {password_sample(20)}",
             f"[testpypi]\nrepository = https://test.pypi.org/legacy/\nusername = ci\npassword: {password_sample(16)}",
         ], ["password = Xk29vLq8Rm2Tz7Lp (no section)", "[pypi]\nusername = __token__\npassword = pypi-" + b64url(120),
             "[pypi]\nusername = __token__\npassword = ${PYPI_TOKEN}",
             "[pypi]\nusername = me\npassword = <your password>",
             "[pypi]\npassword = password",
             "[pypi]\npassword = ENC[AES256_GCM,data:q7Vd93LmXk2PzR8t,iv:Wb4N,tag:Zk4m,type:str]"],
         severity="high", entropy=2.5, env_var="TWINE_PASSWORD", path=r"(?:^|/)\.?pypirc$",
         rotate="https://pypi.org/manage/account/"),
    dummy_allowlist(), {"description": "PyPI API tokens (their own rule)", "regexTarget": "secret", "regexes": [r"^pypi-"]})
add(rule("maven-settings-password", "maven", "Maven settings.xml <server> password or passphrase",
         r"""(?s)<server>\s{0,50}(?:<[A-Za-z0-9_\-]{1,40}>[^<]{0,120}</[A-Za-z0-9_\-]{1,40}>\s{0,20}){0,6}?<(?:password|passphrase)>([^<\s${][^<\s]{3,255})</(?:password|passphrase)>""",
         ["<server>"], [
             f"<servers>\n  <server>\n    <id>corp-releases</id>\n    <username>deploy</username>\n    <password>{password_sample()}</password>\n  </server>\n</servers>",
             f"<server><id>ossrh</id><username>me</username><password>{password_sample(22)}</password></server>",
             f"<server>\n  <id>gpg.passphrase</id>\n  <passphrase>{password_sample(16)}</passphrase>\n</server>",
         ], ["<server>\n  <id>ossrh</id>\n  <username>${env.OSSRH_USER}</username>\n  <password>${env.OSSRH_PASSWORD}</password>\n</server>",
             "<server>\n  <id>corp</id>\n  <password>{COQLCE6DU6GtcS5P=}</password>\n</server>",
             "<server>\n  <id>corp</id>\n  <password>password</password>\n</server>",
             "<password>Xk29vLq8Rm2</password> outside a server block"],
         severity="high", entropy=2.5, env_var="MAVEN_PASSWORD"), dummy_allowlist())
add(rule("gradle-properties-credential", "gradle", "Password, token or secret in gradle.properties (publishing, signing, repository credentials)",
         r"""(?m)^[ \t]{0,4}(?:systemProp\.)?[a-z][\w.\-]{0,60}(?i:password|passwd|token|secret|apikey|api[_.\-]key)[ \t]{0,2}=[ \t]{0,2}([^\s"'$%{<>][^\s]{5,255})""",
         ["password", "passwd", "token", "secret", "apikey", "api_key", "api-key", "api.key"], [
             f"ossrhPassword={password_sample()}",
             f"signing.password={password_sample(16)}",
             f"systemProp.https.proxyPassword={password_sample(14)}",
             f"artifactory_api_key={b62(64)}",
         ], ["signing.password=", "ossrhPassword=${OSSRH_PASSWORD}", "mavenCentralPassword=password",
             "org.gradle.jvmargs=-Xmx2g"],
         severity="high", entropy=3.0, env_var="ORG_GRADLE_PROJECT_ossrhPassword",
         path=r"(?:^|/)gradle\.properties$"), dummy_allowlist())
add(rule("git-credentials-url", "git", ".git-credentials entry (https://user:token@host)",
         r"""(?m)^[ \t]{0,4}https?://[^:@/\s]{1,128}:([^@/\s$%{<>][^@/\s]{3,255})@[A-Za-z0-9.\-]{1,253}(?::[0-9]{1,5})?/?[ \t]*\r?$""",
         ["http://", "https://"], [f"https://ci-bot:{b62(36)}@git.corp.io", f"https://x-token-auth:{b64url(40)}@bitbucket.org",
                    f"http://deploy:{password_sample()}@gitea.lan:3000"],
         ["https://github.com", "https://user:${TOKEN}@github.com", "https://user:password@github.com"],
         severity="critical", entropy=2.5, env_var="GIT_CREDENTIALS", path=GITCRED_PATH), dummy_allowlist())
add(rule("git-config-extraheader", "git", "git http.extraheader with an Authorization header (persisted by CI checkouts)",
         r"""(?i)\bextraheader\s{0,2}=?\s{0,2}["']?authorization:\s{0,2}(?:basic|bearer)\s{1,3}([A-Za-z0-9+/=_\-.]{16,1024})""",
         ["extraheader"], [
             "[http \"https://github.com/\"]\n\textraheader = AUTHORIZATION: basic eC1hY2Nlc3MtdG9rZW46Z2hzX3Q3UWtaOXhMdjJQbTRSc04wYlc=",
             f"git -c http.extraheader=\"Authorization: Bearer {b64url(40)}\" clone https://git.corp.io/x.git",
             f"git config --global http.https://dev.azure.com/.extraheader \"AUTHORIZATION: basic {b64(48)}\"",
         ], ["git -c http.extraheader=\"AUTHORIZATION: bearer $SYSTEM_ACCESSTOKEN\" fetch",
             "git config --unset-all http.https://github.com/.extraheader",
             "extraheader = AUTHORIZATION: basic ${{ secrets.TOKEN }}"],
         severity="high", entropy=3.5, env_var="GIT_AUTH_HEADER"))
add(rule("docker-config-identity-token", "docker", "Docker config.json identitytoken (registry refresh token)",
         r""""identitytoken"\s{0,4}:\s{0,4}"([^"\s$<>{]{16,4096})\"""",
         ["identitytoken"], [
             f"{{\"auths\": {{\"myregistry.azurecr.io\": {{\"auth\": \"\", \"identitytoken\": \"eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.{b64url(80)}.{b64url(86)}\"}}}}}}",
             f"\"identitytoken\": \"{b64url(64)}\"",
             f"  \"identitytoken\":\"{hexs(64)}\"",
         ], ["\"identitytoken\": \"\"", "\"identitytoken\": \"<token>\"", "\"identitytoken\": \"${IDENTITY_TOKEN}\""],
         severity="high", entropy=3.5, env_var="DOCKER_AUTH_CONFIG"))
add(rule("docker-config-registry-token", "docker", "Docker config.json registrytoken (bearer token for a registry)",
         r""""registrytoken"\s{0,4}:\s{0,4}"([^"\s$<>{]{16,4096})\"""",
         ["registrytoken"], [f"\"registrytoken\": \"{b64url(64)}\"", f"{{\"auths\":{{\"reg.corp.io\":{{\"registrytoken\":\"{b64(80)}\"}}}}}}"],
         ["\"registrytoken\": \"\"", "\"registrytoken\": \"<token>\"", "registrytoken is documented in docker/cli"],
         severity="high", entropy=3.5, env_var="DOCKER_AUTH_CONFIG"))

KUBE_USER = r"""(?m)^\s{0,6}-\s{1,4}name:\s{0,4}[^\r\n]{1,253}\r?\n\s{2,10}user:\s{0,4}\r?\n(?:[ \t]{4,16}[A-Za-z0-9_\-]{1,40}:[^\r\n]{0,120}\r?\n){0,6}?\s{4,16}"""


def kubeconfig(user_block):
    return ("apiVersion: v1\nkind: Config\nusers:\n- name: ci-deployer\n  user:\n" + user_block)


add(rule("kubeconfig-user-token", "kubernetes", "kubeconfig user bearer token (users[].user.token)",
         KUBE_USER + r"""token:\s{0,4}["']?([A-Za-z0-9_\-.:=+/]{20,4096})""",
         ["token:"], [
             kubeconfig(f"    token: {b62(6).lower()}.{b62(16).lower()}"),
             kubeconfig(f"    client-certificate-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t\n    token: eyJhbGciOiJSUzI1NiIsImtpZCI6IiJ9.{b64url(120)}.{b64url(160)}"),
             "users:\n  - name: admin\n    user:\n      token: " + b64url(60),
         ], [kubeconfig("    token: ${KUBE_TOKEN}"), kubeconfig("    tokenFile: /var/run/secrets/token"),
             "users:\n- name: x\n  user:\n    exec:\n      command: aws", "token: abc"],
         severity="critical", entropy=3.0, env_var="KUBECONFIG", window=2048))
add(rule("kubeconfig-user-password", "kubernetes", "kubeconfig basic-auth password (users[].user.password)",
         KUBE_USER + r"""password:\s{0,4}["']?([^\s"'$%{<>][^\s"']{3,255})""",
         ["password:"], [kubeconfig(f"    username: admin\n    password: {password_sample()}"),
                         "users:\n  - name: legacy\n    user:\n      password: \"" + password_sample(14) + "\"\n      username: ops"],
         [kubeconfig("    username: admin\n    password: ${KUBE_PASSWORD}"), kubeconfig("    password: password"),
          kubeconfig("    password: ENC[AES256_GCM,data:Tr7oWq8Lm2Zp,iv:1ZqA9b2c3d4e,tag:2YwQ8r7t,type:str]"),
          "spring:\n  security:\n    user:\n      password: Xk29vLq8Rm2"],
         severity="critical", entropy=2.5, env_var="KUBECONFIG", window=2048), dummy_allowlist())
add(rule("kubeconfig-client-key-data", "kubernetes", "kubeconfig client-key-data (base64 of a PEM private key)",
         r"""\bclient-key-data:\s{0,4}["']?(LS0tLS1CRUdJTi[A-Za-z0-9+/]{60,6000}={0,2})""",
         ["client-key-data"], [
             kubeconfig("    client-certificate-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t\n    client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQo" + b64(300)),
             "client-key-data: LS0tLS1CRUdJTiBFQyBQUklWQVRFIEtFWS0tLS0tCk1IY0NBUUVF" + b64(160) + "==",
         ], ["client-key-data: ${CLIENT_KEY_DATA}", "client-key-data: REDACTED", "client-key-data: LS0tLS1CRUdJTi..."],
         severity="critical", entropy=4.0, env_var="KUBECONFIG"))
add(rule("composer-auth-http-basic", "composer", "Composer auth.json / COMPOSER_AUTH http-basic password",
         r"""(?s)"http-basic"\s{0,4}:\s{0,4}\{\s{0,20}"[^"]{1,253}"\s{0,4}:\s{0,4}\{[^{}]{0,400}?"password"\s{0,4}:\s{0,4}"([^"\s$%{<>][^"]{3,255})\"""",
         ["http-basic"], [
             f"{{\n  \"http-basic\": {{\n    \"repo.packagist.com\": {{\n      \"username\": \"token\",\n      \"password\": \"{hexs(40)}\"\n    }}\n  }}\n}}",
             f"COMPOSER_AUTH='{{\"http-basic\":{{\"satis.corp.io\":{{\"username\":\"ci\",\"password\":\"{password_sample()}\"}}}}}}'",
         ], ["{\"http-basic\": {\"repo.packagist.com\": {\"username\": \"token\", \"password\": \"${PACKAGIST_TOKEN}\"}}}",
             "{\"http-basic\": {\"x.io\": {\"username\": \"u\", \"password\": \"password\"}}}",
             "\"http-basic\": {}"],
         severity="high", entropy=2.5, env_var="COMPOSER_AUTH"), dummy_allowlist())
add(rule("nuget-config-cleartext-password", "nuget", "NuGet.Config packageSourceCredentials ClearTextPassword",
         r"""(?i)<add\s{1,4}key\s{0,2}=\s{0,2}["']ClearTextPassword["']\s{1,4}value\s{0,2}=\s{0,2}["']([^"'\s$%{<>][^"']{3,255})["']""",
         ["cleartextpassword"], [f"<add key=\"ClearTextPassword\" value=\"{password_sample()}\" />",
                                 f"      <add key=\"ClearTextPassword\" value=\"{b62(52)}\"/>"],
         ["<add key=\"ClearTextPassword\" value=\"%NUGET_PASSWORD%\" />", "<add key=\"ClearTextPassword\" value=\"$(NUGET_PAT)\" />",
          "<add key=\"Password\" value=\"AQAAANCMnd8BFdERjHoAwE\" />"],
         severity="high", entropy=2.5, env_var="NUGET_PASSWORD", aliases=["nuget-config-password"]), dummy_allowlist())
add(rule("rclone-config-secret", "rclone", "rclone.conf remote password or key (rclone's obscured passwords are reversible)",
         r"""(?m)^\[[\w.\-]{1,64}\][^\[]{0,3000}?^[ \t]{0,4}(?:pass|password|password2|secret_access_key|client_secret|account_key|key)[ \t]{0,2}=[ \t]{0,2}([^\s"'$%{<>][^\s]{7,4096})""",
         ["pass", "secret_access_key", "client_secret", "account_key", "key =", "key="], [
             f"[nas]\ntype = sftp\nhost = {host()}\nuser = backup\npass = {b64url(46)}",
             f"[s3]\ntype = s3\naccess_key_id = AKIA{rand(B32, 16)}\nsecret_access_key = {b64(40)}",
             f"[crypt]\ntype = crypt\nremote = s3:vault\npassword = {b64url(60)}\npassword2 = {b64url(60)}",
         ], ["[nas]\ntype = sftp\npass = ", "[s3]\nsecret_access_key = ${AWS_SECRET}", "[nas]\npass = <obscured>"],
         severity="high", entropy=3.0, env_var="RCLONE_CONFIG_PASS", path=r"(?:^|/)rclone\.conf$"))
add(rule("pgpass-password", "postgresql", ".pgpass entry (hostname:port:database:username:password)",
         r"""(?m)^[^:\s#][^:\r\n]{0,253}:(?:[0-9]{1,5}|\*):[^:\r\n]{1,128}:[^:\r\n]{1,128}:([^\s$%{<>][^\r\n]{3,255})$""",
         [":*:", ":5432:", ":5433:", ":6432:", ":25060:", ":26257:"],
         [f"db.prod.internal:5432:*:app:{password_sample()}", f"*:*:*:replicator:{password_sample(22)}",
          f"# comment\n{host()}:6432:ledger:ledger_rw:{password_sample(16)}"],
         ["localhost:5432:*:postgres:postgres", "db:5432:*:app:${PGPASSWORD}", "# hostname:port:database:username:password"],
         severity="high", entropy=2.5, env_var="PGPASSWORD", path=r"(?:^|/)\.?pgpass(?:\.conf)?$"), dummy_allowlist())
add(rule("mysql-option-file-password", "mysql", "MySQL option file (.my.cnf, my.cnf, .mylogin) password",
         r"""(?m)^\[(?:client|mysql[\w\-]{0,20}|mariadb[\w\-]{0,20}|mysqldump|mysqladmin)\][^\[]{0,2000}?^[ \t]{0,4}password[ \t]{0,2}=[ \t]{0,2}["']?([^\s"'$%{<>][^\s"']{3,255})""",
         ["password"], [f"[client]\nuser = backup\npassword = {password_sample()}", f"[mysqldump]\npassword=\"{password_sample(14)}\"",
                        f"[client]\nhost={host()}\npassword={password_sample(20)}"],
         ["[client]\npassword = ${MYSQL_PWD}", "[client]\npassword=", "[client]\npassword = password",
          "[client]\npassword = $ANSIBLE_VAULT;1.1;AES256"],
         severity="high", entropy=2.5, env_var="MYSQL_PWD", path=r"(?:^|/)\.?my\.cnf$|(?:^|/)mysql/conf\.d/[^/]+\.cnf$"),
    dummy_allowlist())

# ------------------------------------------------------------------------------- command lines
CLI_PW = r"""([^\s"'$%{<>`\\;|&)(-][^\s"'`\\;|&)(]{3,127})"""
add(rule("curl-user-password", "http-basic-auth", "curl -u / --user user:password (HTTP basic auth on a command line)",
         r"""\bcurl\b[^\r\n]{0,200}?\s(?:-u|--user|--proxy-user|-U)\s{1,4}["']?[^\s:"'$]{1,64}:""" + CLI_PW,
         ["curl"], [f"curl -u admin:{password_sample()} https://{host()}:8443/api/health",
                    f"curl -sS --user ci-bot:{password_sample(24)} -X POST https://nexus.corp.io/service/rest/v1/components",
                    f"RUN curl -fsSL -u \"deploy:{password_sample(14)}\" https://{host()}/artifacts/app.tar.gz | tar xz"],
         ["curl -u admin:$ADMIN_PASSWORD https://x.io", "curl -u user:password https://api.example.com",
          "curl -u \"$USER:$TOKEN\" https://x.io", "curl -u elastic:${ELASTIC_PASSWORD} http://es:9200",
          "curl -u admin: https://x.io"],
         severity="high", entropy=2.5, env_var="CURL_USER", aliases=["curl-auth-user"]), dummy_allowlist())
add(rule("wget-password-flag", "http-basic-auth", "wget --password / --http-password / --ftp-password on a command line",
         r"""\bwget\b[^\r\n]{0,200}?\s--(?:http-|ftp-|proxy-)?password[= ]["']?""" + CLI_PW,
         ["wget"], [f"wget --user=deploy --password={password_sample()} https://{host()}/build.zip",
                    f"wget -q --http-password '{password_sample(16)}' --http-user ops https://{host()}/x"],
         ["wget --password=$PASS https://x.io", "wget --ask-password https://x.io", "wget --password=<password> https://x.io"],
         severity="high", entropy=2.5, env_var="WGET_PASSWORD"), dummy_allowlist())
add(rule("sshpass-password", "ssh", "sshpass -p PASSWORD (an SSH password on a command line)",
         r"""\bsshpass\s{1,4}(?:-[ev]\s{1,4})*-p\s{0,4}["']?""" + CLI_PW,
         ["sshpass"], [f"sshpass -p '{password_sample()}' ssh -o StrictHostKeyChecking=no root@{host()}",
                       f"sshpass -p{password_sample(14)} scp dump.sql backup@{host()}:/srv/"],
         ["sshpass -p \"$SSH_PASS\" ssh host", "sshpass -e ssh host", "sshpass -p password ssh host"],
         severity="high", entropy=2.5, env_var="SSHPASS"), dummy_allowlist())
add(rule("mysql-cli-password", "mysql", "mysql / mysqldump -pPASSWORD or --password=PASSWORD on a command line",
         r"""\b(?:mysql|mysqldump|mysqladmin|mysqlimport|mysqlsh|mysqlcheck|mariadb|mariadb-dump)\b[^\r\n]{0,200}?\s(?:-p|--password=)["']?""" + CLI_PW,
         ["mysql", "mariadb"], [f"mysqldump -u backup -p{password_sample()} --all-databases > all.sql",
                                f"mysql -h {host()} -u app --password={password_sample(14)} shop < schema.sql",
                                f"docker exec db mariadb -uroot -p'{password_sample(18)}' -e 'SHOW DATABASES'"],
         ["mysql -u root -p$MYSQL_ROOT_PASSWORD", "mysql -u root -p", "mysqldump -u root -proot db",
          "mysql -u root --password=${DB_PASS} db"],
         severity="high", entropy=2.5, env_var="MYSQL_PWD"), dummy_allowlist())
add(rule("docker-login-password-flag", "docker", "docker login -p / --password PASSWORD on a command line",
         r"""\b(?:docker|podman|nerdctl|buildah|skopeo|helm\s{1,4}registry)\s{1,4}login\b[^\r\n]{0,200}?\s(?:-p|--password)[= ]\s{0,2}["']?""" + CLI_PW,
         ["docker login", "podman login", "nerdctl login", "buildah login", "skopeo login", "registry login"], [f"docker login -u ci -p {password_sample()} registry.corp.io",
                     f"podman login --username deploy --password '{b62(40)}' quay.io"],
         ["docker login -u ci -p $REGISTRY_PASSWORD registry.corp.io", "docker login --password-stdin",
          "docker login -u ci -p <password> registry"],
         severity="high", entropy=2.5, env_var="REGISTRY_PASSWORD"), dummy_allowlist())
add(rule("redis-cli-password", "redis", "redis-cli -a PASSWORD on a command line",
         r"""\bredis-cli\b[^\r\n]{0,200}?\s(?:-a|--pass)\s{1,4}["']?""" + CLI_PW,
         ["redis-cli"], [f"redis-cli -h {host()} -p 6379 -a {password_sample()} INFO",
                         f"redis-cli --tls -a '{password_sample(32)}' ping"],
         ["redis-cli -a $REDIS_PASSWORD ping", "redis-cli -a password ping", "redis-cli --askpass"],
         severity="high", entropy=2.5, env_var="REDISCLI_AUTH"), dummy_allowlist())
add(rule("openssl-pass-argument", "openssl", "openssl -passin/-passout/-password pass:SECRET (a key or PKCS#12 password on a command line)",
         r"""(?i)\s-(?:passin|passout|password|pass|k|kfile)\s{1,4}["']?pass:([^\s"'$%{<>`][^\s"'`]{3,127})""",
         ["-passin", "-passout", "-password", "pass:"], [
             f"openssl pkcs12 -export -in cert.pem -inkey key.pem -out bundle.p12 -passout pass:{password_sample()}",
             f"openssl rsa -in enc.key -out plain.key -passin pass:{password_sample(14)}",
         ], ["openssl pkcs12 -in x.p12 -passin pass:$P12_PASSWORD", "openssl rsa -passin env:KEY_PASS",
             "openssl pkcs12 -passout pass:changeit", "openssl pkcs12 -passin pass:"],
         severity="high", entropy=2.5, env_var="PKCS12_PASSWORD"), dummy_allowlist())
add(rule("keytool-password-flag", "java-keystore", "keytool -storepass / -keypass / -srcstorepass PASSWORD (Java keystore and PKCS#12 passwords)",
         r"""(?i)\s-(?:storepass|keypass|srcstorepass|deststorepass|srckeypass|destkeypass)\s{1,4}["']?""" + CLI_PW,
         ["storepass", "keypass"], [f"keytool -genkeypair -alias app -keystore app.p12 -storetype PKCS12 -storepass {password_sample()} -keypass {password_sample()}",
                                    f"keytool -importkeystore -srckeystore a.jks -srcstorepass '{password_sample(14)}' -destkeystore b.p12"],
         ["keytool -list -keystore cacerts -storepass changeit", "keytool -storepass $STORE_PASS -list",
          "keytool -storepass:env STORE_PASS -list"],
         severity="high", entropy=2.5, env_var="KEYSTORE_PASSWORD"), dummy_allowlist())
add(rule("keystore-password-property", "java-keystore", "Java keystore / truststore / PKCS#12 password in a property (javax.net.ssl.*, server.ssl.*, *.p12 password)",
         r"""(?i)(?:key[_.\-]?store|trust[_.\-]?store|p12|pkcs12|pfx)[_.\-]?(?:pass(?:word)?|pwd|passphrase)["']?\s{0,3}(?:=|:|=>|\s)\s{0,3}["']?([^\s"'$%{<>][^\s"',;]{5,127})""",
         ["storepassword", "store-password", "store_password", "store.password", "storepass", "storepwd", "store_pwd",
          "p12pass", "p12_pass", "p12-pass", "p12.pass", "pfxpass", "pfx_pass", "pfx-pass", "pfx.pass", "pkcs12pass", "pkcs12_pass",
          "pkcs12-pass", "pkcs12.pass", "p12pwd", "p12_pwd", "pfx_pwd", "pfxpwd"],
         [f"-Djavax.net.ssl.keyStorePassword={password_sample()}",
          f"server.ssl.key-store-password={password_sample(16)}",
          f"PKCS12_PASSWORD=\"{password_sample(20)}\"",
          f"  trust-store-password: {password_sample(14)}"],
         ["-Djavax.net.ssl.trustStorePassword=changeit", "server.ssl.key-store-password=${KEYSTORE_PASSWORD}",
          "keyStorePassword: <password>", "String keyStorePassword = config.get(\"ks\");",
          "this.keyStorePassword = keyStorePassword;", "val trustStorePassword: String"],
         severity="high", confidence="medium", entropy=2.8, env_var="KEYSTORE_PASSWORD"),
    dummy_allowlist(), {"description": "code reading the password from elsewhere", "regexTarget": "secret",
                        "regexes": [r"(?i)^(?:get|read|load|config|props?|env|system|args?|options?|self|this|settings)\b[\w.]*[(\[.]|\w+\)$",
                                    r"^[A-Za-z_][A-Za-z_.]*(?:\(\))?$"]})
add(rule("http-basic-authorization-header", "http-basic-auth", "HTTP Authorization: Basic header with base64 user:password",
         r"""(?i)\bauthorization["']?\s{0,3}(?:[:=,]|=>)\s{0,3}["']?basic\s{1,3}([A-Za-z0-9+/]{22,684}={0,2})(?:[^A-Za-z0-9+/=]|$)""",
         ["authorization"], ["-H 'Authorization: Basic ZGVwbG95OlF6OHZLbTJ4UHQ5TA=='",
                             "headers = {\"Authorization\": \"Basic Y2ktYm90OkhzNzJrUHE5TG0zeFd2OFo=\"}",
                             "Authorization: basic cmVsZWFzZTpOZDgya0x3UTlwWm0="],
         ["Authorization: Basic dXNlcm5hbWU6cGFzc3dvcmQ=", "Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==",
          "Authorization: Basic ${BASIC_AUTH}", "Authorization: Basic <credentials>",
          "'Authorization': 'Basic ' + btoa(user + ':' + pass)"],
         severity="high", entropy=3.2, env_var="BASIC_AUTH", aliases=["curl-auth-header"]),
    {"description": "documentation credentials (username:password, user:pass, Aladdin:open sesame, admin:admin, ...)",
     "regexTarget": "secret", "stopwords": [
         "dxnlcm5hbwu6cgfzc3dvcmq", "qwxhzgrpbjpvcgvuihnlc2ftzq", "ywrtaw46ywrtaw4", "dxnlcjpwyxnz",
         "dxnlcjpwyxnzd29yza", "dgvzddp0zxn0", "zm9vomjhcg", "dxnlcm5hbwu6cgfzc3dvcmq"]})

# ------------------------------------------------------------------------------ password hashes
HTPASSWD_PATH = r"(?:^|/)\.?htpasswd[\w.\-]{0,40}$"
SHADOW_OR_KEY = (r"""(?:(?m:^)[a-z_][a-z0-9_.\-]{0,31}:|(?i:pass(?:word|wd)?|pwd|hash|crypt|digest|secret)[\w.\-]{0,25}"""
                 r"""["']?\s{0,3}(?:=|:|=>|,)\s{0,3}["']?)""")


def hash_rule(id, description, value_regex, keywords, samples, negatives, *, aliases=None, entropy=3.0, ctx=True):
    regex = (SHADOW_OR_KEY if ctx else "") + "(" + value_regex + ")"
    ex = []
    for i, s in enumerate(samples):
        if i % 3 == 0:
            ex.append(f"{user()}:{s}:19723:0:99999:7:::")
        elif i % 3 == 1:
            ex.append(f"password_hash = \"{s}\"")
        else:
            ex.append(f"  \"password\": \"{s}\",")
    return add(rule(id, "password-hash", description, regex, keywords, ex, negatives, severity="low",
                    confidence="medium", entropy=entropy, env_var=None, aliases=aliases),
               {"description": "htpasswd files (their own rule)", "paths": [HTPASSWD_PATH]})


C64 = "./" + B62
def crypt64(n):
    return rand(C64, n)


hash_rule("sha512-crypt-password-hash", "SHA-512 crypt password hash ($6$, /etc/shadow) beside a user or password key",
          r"""\$6\$(?:rounds=[0-9]{4,9}\$)?[./A-Za-z0-9]{1,16}\$[./A-Za-z0-9]{86}""", ["$6$"],
          [f"$6${crypt64(16)}${crypt64(86)}", f"$6$rounds=656000${crypt64(16)}${crypt64(86)}", f"$6${crypt64(8)}${crypt64(86)}"],
          ["root:*:19723:0:99999:7:::", "daemon:!:19723::::::", "hash = \"$6$salt$\"", "id = \"$6$\" + salt"])
hash_rule("sha256-crypt-password-hash", "SHA-256 crypt password hash ($5$) beside a user or password key",
          r"""\$5\$(?:rounds=[0-9]{4,9}\$)?[./A-Za-z0-9]{1,16}\$[./A-Za-z0-9]{43}""", ["$5$"],
          [f"$5${crypt64(16)}${crypt64(43)}", f"$5$rounds=535000${crypt64(16)}${crypt64(43)}", f"$5${crypt64(12)}${crypt64(43)}"],
          ["root:!:19723:0:99999:7:::", "prefix = \"$5$\"", "password: $5$<salt>$<hash>"])
hash_rule("md5-crypt-password-hash", "MD5 crypt / Apache APR1 password hash ($1$, $apr1$) beside a user or password key",
          r"""\$(?:1|apr1)\$[./A-Za-z0-9]{1,8}\$[./A-Za-z0-9]{22}""", ["$1$", "$apr1$"],
          [f"$1${crypt64(8)}${crypt64(22)}", f"$apr1${crypt64(8)}${crypt64(22)}", f"$1${crypt64(6)}${crypt64(22)}"],
          ["admin:$apr1$", "hash = \"$1$\" + salt", "password: '$1$salt$'"])
hash_rule("bcrypt-password-hash", "bcrypt password hash ($2a$/$2b$/$2y$) beside a user or password key",
          r"""\$2[abxy]?\$[0-9]{2}\$[./A-Za-z0-9]{53}""", ["$2a$", "$2b$", "$2y$", "$2x$"],
          [f"$2y$10${crypt64(53)}", f"$2b$12${crypt64(53)}", f"$2a$10${crypt64(53)}"],
          ["password: \"$2b$12$\"", "hash = bcrypt.hashpw(pw, bcrypt.gensalt())", "$2y$10$ is the prefix PHP writes"])
hash_rule("yescrypt-password-hash", "yescrypt / gost-yescrypt password hash ($y$, $gy$, modern /etc/shadow) beside a user or password key",
          r"""\$g?y\$[./A-Za-z0-9]{1,16}\$[./A-Za-z0-9]{1,86}\$[./A-Za-z0-9]{43}""", ["$y$", "$gy$"],
          [f"$y$j9T${crypt64(22)}${crypt64(43)}", f"$y$j9T${crypt64(22)}${crypt64(43)}", f"$gy$j9T${crypt64(22)}${crypt64(43)}"],
          ["root:!*:19723:0:99999:7:::", "password: '$y$'", "prefix = \"$y$j9T$\""])
hash_rule("argon2-password-hash", "Argon2 password hash ($argon2id$/$argon2i$/$argon2d$) beside a user or password key",
          r"""\$argon2(?:id|i|d)\$v=[0-9]{1,3}\$m=[0-9]{1,8},t=[0-9]{1,4},p=[0-9]{1,3}\$[A-Za-z0-9+/]{11,64}\$[A-Za-z0-9+/]{16,128}""",
          ["$argon2"], [f"$argon2id$v=19$m=65536,t=3,p=4${b64(22)}${b64(43)}", f"$argon2id$v=19$m=19456,t=2,p=1${b64(22)}${b64(43)}",
                        f"$argon2i$v=19$m=4096,t=3,p=1${b64(16)}${b64(32)}"],
          ["password: \"$argon2id$v=19$m=65536,t=3,p=4$\"", "ARGON2_PREFIX = \"$argon2id$\"", "hash = argon2.hash(pw)"], ctx=False)
hash_rule("pbkdf2-password-hash", "PBKDF2 password hash in passlib ($pbkdf2-sha256$), Django (pbkdf2_sha256$) or Werkzeug (pbkdf2:sha256:) form",
          r"""\$pbkdf2(?:-sha(?:1|256|512))?\$[0-9]{3,8}\$[./A-Za-z0-9+]{8,64}\$[./A-Za-z0-9+]{27,88}|\bpbkdf2_sha(?:1|256|512)\$[0-9]{4,8}\$[A-Za-z0-9]{4,64}\$[A-Za-z0-9+/]{27,88}={0,2}|\bpbkdf2:sha(?:1|256|512)(?::[0-9]{3,8})?\$[A-Za-z0-9]{4,64}\$[0-9a-f]{40,128}""",
          ["pbkdf2"], [f"$pbkdf2-sha256$29000${crypt64(22)}${crypt64(43)}", f"pbkdf2_sha256$870000${b62(22)}${b64(43)}=",
                       f"pbkdf2:sha256:600000${b62(16)}${hexs(64)}"],
          ["password: \"pbkdf2_sha256$\"", "hasher = 'pbkdf2_sha256'", "method='pbkdf2:sha256:600000'"], ctx=False)
hash_rule("scrypt-password-hash", "scrypt password hash (Werkzeug scrypt:N:r:p$, passlib $scrypt$, Django scrypt$) beside a password key",
          r"""\bscrypt:[0-9]{4,8}:[0-9]{1,3}:[0-9]{1,3}\$[A-Za-z0-9]{4,64}\$[0-9a-f]{64,256}|\$scrypt\$ln=[0-9]{1,2},r=[0-9]{1,3},p=[0-9]{1,3}\$[./A-Za-z0-9+]{8,64}\$[./A-Za-z0-9+]{27,88}|\bscrypt\$[A-Za-z0-9]{4,64}\$[0-9]{4,8}\$[0-9]{1,3}\$[0-9]{1,3}\$[A-Za-z0-9+/]{40,120}={0,2}""",
          ["scrypt"], [f"scrypt:32768:8:1${b62(16)}${hexs(128)}", f"$scrypt$ln=16,r=8,p=1${crypt64(22)}${crypt64(43)}",
                       f"scrypt${b62(22)}$16384$8$1${b64(86)}=="],
          ["method = 'scrypt:32768:8:1'", "password: '$scrypt$'", "hash = scrypt.hash(pw)"], ctx=False)
hash_rule("django-legacy-password-hash", "Django bcrypt_sha256$ / argon2$ / sha1$ password hash beside a password key",
          r"""(?:bcrypt_sha256\$|bcrypt\$)\$2[aby]\$[0-9]{2}\$[./A-Za-z0-9]{53}|argon2\$argon2(?:id|i)\$v=19\$m=[0-9]{1,8},t=[0-9]{1,4},p=[0-9]{1,3}\$[A-Za-z0-9+/]{11,64}\$[A-Za-z0-9+/]{16,128}|(?:sha1|md5)\$[A-Za-z0-9]{4,32}\$[0-9a-f]{32,40}""",
          ["bcrypt_sha256$", "bcrypt$", "argon2$argon2", "sha1$", "md5$"],
          [f"bcrypt_sha256$$2b$12${crypt64(53)}", f"argon2$argon2id$v=19$m=102400,t=2,p=8${b64(22)}${b64(43)}",
           f"sha1${b62(12)}${hexs(40)}"],
          ["algorithm = 'bcrypt_sha256'", "password: \"sha1$\"", "hasher: md5$salt$"])
add(rule("ntlm-password-hash", "password-hash", "Windows NT hash in pwdump / secretsdump form (user:RID:LMHASH:NTHASH:::)",
         r"""(?m)^[^:\s]{1,64}:[0-9]{1,10}:[0-9a-fA-F]{32}:([0-9a-fA-F]{32}):::""",
         [":::"], [f"Administrator:500:aad3b435b51404eeaad3b435b51404ee:{hexs(32)}:::",
                   f"svc_sql:1104:aad3b435b51404eeaad3b435b51404ee:{hexs(32)}:::",
                   f"CORP\\jdoe:1120:{hexs(32)}:{hexs(32)}:::"],
         ["Guest:501:aad3b435b51404eeaad3b435b51404ee:31d6cfe0d16ae931b73c59d7e0c089c0:::",
          "user:1000:1000:Jane:/home/jane:/bin/bash", "a:1:aad3b435b51404eeaad3b435b51404ee:xxxxxxxx:::"],
         severity="low", confidence="medium", entropy=3.0),
    {"description": "the NT hash of the empty password", "regexTarget": "secret", "stopwords": ["31d6cfe0d16ae931b73c59d7e0c089c0"]})
add(rule("mysql-native-password-hash", "password-hash", "MySQL mysql_native_password hash (* + 40 hex) in a GRANT / IDENTIFIED BY PASSWORD / authentication_string",
         r"""(?i)(?:identified\s{1,4}(?:with\s{1,4}mysql_native_password\s{1,4})?(?:by|as)\s{1,4}(?:password\s{1,4})?|authentication_string["'`]?\s{0,3}(?:=|:|,)\s{0,3}|password\s{0,3}(?:=|:)\s{0,3})["'`]?(\*[0-9A-F]{40})\b""",
         ["identified", "authentication_string"], [
             f"CREATE USER 'app'@'%' IDENTIFIED BY PASSWORD '*{hexs(40, True)}';",
             f"ALTER USER 'ro'@'%' IDENTIFIED WITH mysql_native_password AS '*{hexs(40, True)}';",
             f"  authentication_string: '*{hexs(40, True)}'",
         ], ["IDENTIFIED BY PASSWORD '*THEHASH'", "password = '*'", "SELECT PASSWORD('x');",
             "IDENTIFIED BY PASSWORD '*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19'"],
         severity="low", confidence="medium", entropy=3.0),
    {"description": "hash of 'password'", "regexTarget": "secret", "stopwords": ["*2470c0c06dee42fd1618bb99005adca2ec9d1e19"]})
add(rule("postgres-password-hash", "password-hash", "PostgreSQL password verifier (SCRAM-SHA-256$... or md5 + 32 hex) in ALTER/CREATE ROLE, pg_authid or userlist.txt",
         r"""(?i)(?:password\s{1,4}|["'`]\s{1,4})["'](SCRAM-SHA-256\$[0-9]{4,7}:[A-Za-z0-9+/]{16,32}={0,2}\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=|md5[0-9a-f]{32})["']""",
         ["scram-sha-256$", "'md5", "\"md5"], [
             f"ALTER ROLE app PASSWORD 'SCRAM-SHA-256$4096:{b64(24)}${b64(43)}=:{b64(43)}=';",
             f"CREATE ROLE report LOGIN PASSWORD 'md5{hexs(32)}';",
             f"\"pgbouncer\" \"SCRAM-SHA-256$4096:{b64(22)}==${b64(43)}=:{b64(43)}=\"",
         ], ["ALTER ROLE app PASSWORD 'md5'", "password_encryption = 'scram-sha-256'",
             "CREATE ROLE app PASSWORD 'Xk29vLq8Rm2';"],
         severity="low", confidence="medium", entropy=3.0))
add(rule("ldap-password-hash", "password-hash", "LDAP userPassword hash ({SSHA}, {SHA}, {SSHA512}, {CRYPT}, {PBKDF2}, {MD5}) in LDIF or config",
         r"""(?i)\b(?:userPassword|rootpw|olcRootPW|password)["']?\s{0,3}(?::{1,2}|=|\s)\s{0,3}["']?(\{(?:SSHA(?:256|384|512)?|SHA(?:256|384|512)?|SMD5|MD5|CRYPT|PBKDF2(?:-SHA(?:256|512))?|ARGON2)\}[A-Za-z0-9+/=$.,:\-]{20,200})""",
         ["userpassword", "rootpw", "{ssha", "{sha", "{crypt}", "{pbkdf2", "{md5}", "{smd5}"], [
             f"userPassword: {{SSHA}}{b64(32)}",
             f"olcRootPW: {{SSHA512}}{b64(88)}==",
             f"rootpw {{CRYPT}}$6${crypt64(16)}${crypt64(86)}",
         ], ["userPassword: {SSHA}", "userPassword:: e1NTSEF9", "rootpw secret", "userPassword: {SSHA}<hash>"],
         severity="low", confidence="medium", entropy=3.0))
add(rule("phpass-password-hash", "password-hash", "phpass / WordPress / Drupal 7 password hash ($P$, $H$, $S$) beside a password key",
         SHADOW_OR_KEY + r"""(\$[PH]\$[./A-Za-z0-9]{31}|\$S\$[./A-Za-z0-9]{52})(?:[^./A-Za-z0-9]|$)""",
         ["$p$", "$h$", "$s$"], [f"'user_pass' => '$P${crypt64(31)}',", f"password_hash = \"$S${crypt64(52)}\"",
                                 f"  \"pass\": \"$H${crypt64(31)}\","],
         ["user_pass = '$P$'", "price = '$S$'", "pass: $P$<hash>"],
         severity="low", confidence="medium", entropy=3.0))
add(rule("htpasswd-entry", "password-hash", "htpasswd entry (bcrypt $2y$, APR1 $apr1$, {SHA}, crypt)",
         r"""(?m)^[^:\s#]{1,255}:(\$2[aby]\$[0-9]{2}\$[./A-Za-z0-9]{53}|\$apr1\$[./A-Za-z0-9]{1,8}\$[./A-Za-z0-9]{22}|\{SHA\}[A-Za-z0-9+/]{27}=|[./A-Za-z0-9]{13})\s*$""",
         ["$apr1$", "$2y$", "$2a$", "$2b$", "{sha}"],
         [f"admin:$apr1${crypt64(8)}${crypt64(22)}", f"deploy:$2y$05${crypt64(53)}", f"ops:{{SHA}}{b64(27)}="],
         ["# htpasswd -c .htpasswd admin", "admin:", "admin:$apr1$salt$"],
         severity="low", confidence="medium", entropy=2.5, path=HTPASSWD_PATH))
add(rule("cisco-type7-password", "cisco", "Cisco IOS type 7 password (reversible obfuscation: a plaintext-equivalent secret)",
         r"""(?m)^[^\r\n!]{0,80}?\b(?:password|secret|key|key-string|authentication-key|md5)\s{1,4}7\s{1,4}((?:0[0-9]|1[0-5])[0-9A-F]{8,80})\s*$""",
         ["password 7", "secret 7", "key 7", "key-string 7", "authentication-key 7", "md5 7"],
         ["line vty 0 4\n password 7 0822455D0A16544541", "username admin privilege 15 password 7 121A0C0411045D5679",
          " ip ospf message-digest-key 1 md5 7 094F471A1A0A464058"],
         ["enable secret 5 $1$mERr$hx5rVt7rPNoS4wqbXKX7m0", "password 7 <removed>", "service password-encryption"],
         severity="medium", confidence="high", entropy=2.0))
add(rule("juniper-type9-secret", "juniper", "Juniper $9$ encrypted secret (reversible obfuscation: a plaintext-equivalent secret)",
         r"""(?i)\b(?:encrypted-password|secret|authentication-key|pre-shared-key\s{1,4}ascii-text|ascii-text|simple-password|community)\s{1,4}["']?(\$9\$[A-Za-z0-9./\-]{8,200})["']?""",
         ["$9$"], ["set system login user ops authentication encrypted-password \"$9$" + crypt64(20).replace("/", "A") + "\"",
                   "authentication-key \"$9$" + crypt64(30).replace("/", "B") + "\"; ## SECRET-DATA",
                   "pre-shared-key ascii-text \"$9$" + crypt64(40).replace("/", "C") + "\";"],
         ["encrypted-password \"$1$salt$hash\"", "secret \"$9$\"", "authentication-key \"<redacted>\""],
         severity="medium", confidence="high", entropy=3.0))

# -------------------------------------------------------------------------- framework secrets
WP_KEYS = "AUTH_KEY|SECURE_AUTH_KEY|LOGGED_IN_KEY|NONCE_KEY|AUTH_SALT|SECURE_AUTH_SALT|LOGGED_IN_SALT|NONCE_SALT"
# (the example alphabet leaves out < > { ( $: leakless' placeholder filter drops values holding them)
WP_ALPHA = B62 + "!@#^&*)-_[]}~`+=,.;:/?|"


def wp_salt():
    return rand(WP_ALPHA.replace("'", ""), 64)


add(rule("wordpress-db-password", "wordpress", "WordPress wp-config.php DB_PASSWORD",
         r"""define\(\s{0,3}["']DB_PASSWORD["']\s{0,3},\s{0,3}["']([^"'$%{<>][^"']{3,127})["']\s{0,3}\)""",
         ["db_password"], [f"define( 'DB_PASSWORD', '{password_sample()}' );", f"define('DB_PASSWORD', \"{password_sample(14)}\");"],
         ["define( 'DB_PASSWORD', 'password_here' );", "define( 'DB_PASSWORD', getenv('WORDPRESS_DB_PASSWORD') );",
          "define('DB_PASSWORD', '');", "define('DB_PASSWORD', 'root');"],
         severity="high", entropy=2.5, env_var="WORDPRESS_DB_PASSWORD"),
    dummy_allowlist(), {"description": "wp-config-sample.php placeholder", "regexTarget": "secret", "regexes": [r"^password_here$"]})
add(rule("wordpress-auth-salt", "wordpress", "WordPress wp-config.php authentication unique key or salt (AUTH_KEY, NONCE_SALT, ...)",
         r"""define\(\s{0,3}["'](?:""" + WP_KEYS + r""")["']\s{0,3},\s{0,16}'([^'\r\n]{32,128})'\s{0,3}\)""",
         ["auth_key", "auth_salt", "logged_in_key", "logged_in_salt", "nonce_key", "nonce_salt"],
         [f"define( 'AUTH_KEY',         '{wp_salt()}' );", f"define('NONCE_SALT', '{wp_salt()}');",
          f"define( 'SECURE_AUTH_KEY',  '{wp_salt()}' );"],
         ["define( 'AUTH_KEY',         'put your unique phrase here' );", "define( 'AUTH_KEY', getenv_docker('WORDPRESS_AUTH_KEY', 'x') );",
          "define('NONCE_SALT', '');"],
         severity="medium", entropy=4.0, env_var="WORDPRESS_AUTH_KEY",
         rotate="https://api.wordpress.org/secret-key/1.1/salt/"),
    {"description": "wp-config-sample.php placeholder", "regexTarget": "secret", "regexes": [r"(?i)^put your unique phrase here$"]})
add(rule("rails-secret-key-base", "rails", "Rails secret_key_base (signs and encrypts cookies and sessions)",
         r"""(?i)\bsecret_key_base["']?\s{0,3}(?:=|:|=>)\s{0,3}["']?([0-9a-f]{64,256})(?:[^0-9a-f]|$)""",
         ["secret_key_base"], [f"production:\n  secret_key_base: {hexs(128)}", f"SECRET_KEY_BASE={hexs(128)}",
                               f"config.secret_key_base = \"{hexs(128)}\""],
         ["production:\n  secret_key_base: <%= ENV[\"SECRET_KEY_BASE\"] %>", f"secret_key_base: {hexs(20)}",
          "SECRET_KEY_BASE=${SECRET_KEY_BASE}", "config.secret_key_base = Rails.application.credentials.secret_key_base"],
         severity="critical", entropy=3.0, env_var="SECRET_KEY_BASE"))
add(rule("rails-master-key", "rails", "A committed Rails master.key / credentials key file (decrypts config/credentials.yml.enc)",
         None, ["master.key", "credentials/"], ["config/master.key", "apps/shop/config/credentials/production.key"],
         ["config/master.key.example", "config/credentials.yml.enc", "docs/master.key.md", "config/credentials/production.yml.enc"],
         severity="critical", env_var="RAILS_MASTER_KEY", path=r"(?:^|/)config/(?:master|credentials/[\w\-]{1,64})\.key$"))
add(rule("rails-master-key-variable", "rails", "RAILS_MASTER_KEY assigned (decrypts config/credentials.yml.enc)",
         r"""(?i)\brails[_.\-]master[_.\-]key["']?\s{0,3}(?:=|:|=>)\s{0,3}["']?([0-9a-f]{32})(?:[^0-9a-f]|$)""",
         ["rails_master_key", "rails-master-key", "rails.master.key"],
         [f"RAILS_MASTER_KEY={hexs(32)}", f"  RAILS_MASTER_KEY: \"{hexs(32)}\"", f"ENV RAILS_MASTER_KEY={hexs(32)}"],
         ["RAILS_MASTER_KEY=${RAILS_MASTER_KEY}", "RAILS_MASTER_KEY: ${{ secrets.RAILS_MASTER_KEY }}", f"RAILS_MASTER_KEY={hexs(16)}"],
         severity="critical", confidence="medium", entropy=3.0, env_var="RAILS_MASTER_KEY"))
add(rule("laravel-app-key", "laravel", "Laravel APP_KEY (base64: 32-byte encryption key)",
         r"""(?i)(?:\bapp[_.]key["']?\s{0,3}(?:=|:|=>)\s{0,3}|env\(\s{0,3}["']APP_KEY["']\s{0,3},\s{0,3})["']?base64:([A-Za-z0-9+/]{43}=)""",
         ["base64:"], ["APP_KEY=base64:" + b64(43) + "=", "    'key' => env('APP_KEY', 'base64:" + b64(43) + "='),",
                       "  APP_KEY: \"base64:" + b64(43) + "=\""],
         ["APP_KEY=", "APP_KEY=base64:${APP_KEY}", "APP_KEY=SomeRandomString", "data:image/png;base64:" + b64(43) + "="],
         severity="critical", entropy=4.0, env_var="APP_KEY"))
add(rule("django-insecure-secret-key", "django", "Django SECRET_KEY generated by startproject (django-insecure-...)",
         r"""\b(django-insecure-[a-z0-9!@#$%^&*(\-_=+)]{50})""",
         ["django-insecure-"], ["SECRET_KEY = 'django-insecure-" + rand(LOWER + DIGITS + "!@#$%^&*(-_=+)", 50) + "'",
                                "DJANGO_SECRET_KEY=django-insecure-" + rand(LOWER + DIGITS + "!@#%^&*(-_=+)", 50)],
         ["SECRET_KEY = 'django-insecure-...'", "SECRET_KEY = os.environ['SECRET_KEY']", "django-insecure-abc"],
         severity="medium", entropy=4.0, env_var="DJANGO_SECRET_KEY"))
add(rule("django-secret-key", "django", "Django SECRET_KEY in a settings module",
         r"""(?m)^\s{0,4}SECRET_KEY\s{0,3}=\s{0,3}[rbu]?["']([^"'\s]{32,128})["']""",
         ["secret_key"], ["SECRET_KEY = '" + rand(LOWER + DIGITS + "!@#$%^&*(-_=+)", 50) + "'",
                          "SECRET_KEY = \"" + b64url(50) + "\""],
         ["SECRET_KEY = os.environ['DJANGO_SECRET_KEY']", "SECRET_KEY = env('SECRET_KEY')", "SECRET_KEY = ''",
          "SECRET_KEY = 'django-insecure-" + rand(LOWER + DIGITS, 50) + "'"],
         severity="high", confidence="medium", entropy=3.8, env_var="DJANGO_SECRET_KEY",
         path=r"(?:^|/)(?:settings(?:_\w+)?|local_settings|prod(?:uction)?|base|common)\.py$|(?:^|/)settings/[\w]+\.py$"),
    {"description": "startproject keys (their own rule) and test keys", "regexTarget": "secret",
     "regexes": [r"^django-insecure-", r"(?i)^(?:test|dummy|fake|insecure|not|dev|local|ci)[\w\-]{0,20}(?:secret|key)"]})
add(rule("flask-secret-key", "flask", "Flask app.secret_key / SECRET_KEY set in code",
         r"""\bapp\.(?:secret_key|config\[\s{0,2}["']SECRET_KEY["']\s{0,2}\])\s{0,3}=\s{0,3}[rbu]?["']([^"'\s]{16,128})["']""",
         ["app.secret_key", "app.config["], [f"app.secret_key = '{b64url(32)}'", f"app.config['SECRET_KEY'] = \"{hexs(48)}\"",
                                             f"app.secret_key = b'{b64url(24)}'"],
         ["app.secret_key = os.urandom(24)", "app.config['SECRET_KEY'] = os.environ['SECRET_KEY']",
          "app.secret_key = 'dev'", "app.config[\"SECRET_KEY\"] = \"super-secret-key-change-me\""],
         severity="high", confidence="medium", entropy=3.5, env_var="FLASK_SECRET_KEY"),
    {"description": "tutorial keys", "regexTarget": "secret",
     "regexes": [r"(?i)(?:change|secret|dev|test|example|super|my)[\w\-]{0,10}(?:key|secret|me|this)"]})
add(rule("symfony-app-secret", "symfony", "Symfony APP_SECRET (kernel.secret) in a framework-bundle .env block or framework.yaml",
         r"""(?:###>\s{0,2}symfony/framework-bundle\s{0,2}###[^\r\n]{0,10}\r?\n(?:[^\r\n]{0,120}\r?\n){0,6}?APP_SECRET=|framework:\s{0,4}\r?\n(?:[ \t][^\r\n]{0,120}\r?\n){0,8}?[ \t]{2,8}secret:\s{0,3})["']?([0-9a-f]{32}|[A-Za-z0-9]{32,64})(?:["'\s]|$)""",
         ["symfony/framework-bundle", "framework:"],
         [f"###> symfony/framework-bundle ###\nAPP_ENV=prod\nAPP_SECRET={hexs(32)}\n###< symfony/framework-bundle ###",
          f"framework:\n    secret: '{hexs(32)}'\n    http_method_override: false"],
         ["###> symfony/framework-bundle ###\nAPP_ENV=dev\nAPP_SECRET=\n###< symfony/framework-bundle ###",
          "framework:\n    secret: '%env(APP_SECRET)%'", "framework:\n    secret: ThisTokenIsNotSoSecretChangeIt"],
         severity="high", confidence="medium", entropy=3.0, env_var="APP_SECRET"),
    {"description": "the Symfony Standard Edition placeholder", "regexTarget": "secret", "regexes": [r"(?i)^ThisTokenIsNotSoSecret"]})

RULES = [r for r in RULES if r is not None]

# Where to change or revoke what a container rule finds (the container's own documentation when no single
# provider owns the credential).
ROTATE = {
    "npmrc-auth-token": "https://docs.npmjs.com/revoking-access-tokens",
    "npmrc-basic-auth": "https://docs.npmjs.com/revoking-access-tokens",
    "npmrc-password": "https://docs.npmjs.com/revoking-access-tokens",
    "yarnrc-npm-auth-token": "https://docs.npmjs.com/revoking-access-tokens",
    "yarnrc-npm-auth-ident": "https://docs.npmjs.com/revoking-access-tokens",
    "maven-settings-password": "https://maven.apache.org/guides/mini/guide-encryption.html",
    "docker-config-identity-token": "https://docs.docker.com/reference/cli/docker/login/",
    "docker-config-registry-token": "https://docs.docker.com/reference/cli/docker/login/",
    "docker-login-password-flag": "https://docs.docker.com/reference/cli/docker/login/",
    "kubeconfig-user-token": "https://kubernetes.io/docs/reference/access-authn-authz/authentication/",
    "kubeconfig-user-password": "https://kubernetes.io/docs/reference/access-authn-authz/authentication/",
    "kubeconfig-client-key-data": "https://kubernetes.io/docs/reference/access-authn-authz/certificate-signing-requests/",
    "git-credentials-url": "https://git-scm.com/docs/gitcredentials",
    "git-config-extraheader": "https://git-scm.com/docs/git-config#Documentation/git-config.txt-httpextraHeader",
    "htpasswd-entry": "https://httpd.apache.org/docs/current/programs/htpasswd.html",
    "wordpress-db-password": "https://developer.wordpress.org/advanced-administration/wordpress/wp-config/",
    "rails-secret-key-base": "https://guides.rubyonrails.org/security.html#custom-credentials",
    "rails-master-key": "https://guides.rubyonrails.org/security.html#custom-credentials",
    "rails-master-key-variable": "https://guides.rubyonrails.org/security.html#custom-credentials",
    "laravel-app-key": "https://laravel.com/docs/encryption",
    "django-secret-key": "https://docs.djangoproject.com/en/stable/ref/settings/#secret-key-fallbacks",
    "django-insecure-secret-key": "https://docs.djangoproject.com/en/stable/ref/settings/#secret-key-fallbacks",
    "flask-secret-key": "https://flask.palletsprojects.com/en/stable/config/#SECRET_KEY",
    "symfony-app-secret": "https://symfony.com/doc/current/reference/configuration/framework.html#secret",
    "nuget-config-cleartext-password": "https://learn.microsoft.com/en-us/nuget/reference/nuget-config-file#packagesourcecredentials",
    "composer-auth-http-basic": "https://getcomposer.org/doc/articles/authentication-for-private-packages.md",
    "pgpass-password": "https://www.postgresql.org/docs/current/sql-alterrole.html",
    "mysql-option-file-password": "https://dev.mysql.com/doc/refman/8.0/en/alter-user.html",
    "mysql-cli-password": "https://dev.mysql.com/doc/refman/8.0/en/alter-user.html",
    "redis-cli-password": "https://redis.io/docs/latest/operate/oss_and_stack/management/security/acl/",
    "message-broker-url-password": "https://www.rabbitmq.com/docs/passwords",
}
for r in RULES:
    if not r.get("rotate") and r["id"] in ROTATE:
        r["rotate"] = ROTATE[r["id"]]

if __name__ == "__main__":
    emit(RULES, """# leakless built-in rules: credentials found by their container -- a password in a URL's user-info for
# every non-database scheme (http, ftp, sftp, ssh, ldap, smtp, imap, pop3, mqtt, nats, kafka, ws, socks,
# svn, git, smb, vnc, webdav, stomp, rtsp, telnet, xmpp, s3), connection strings (ODBC, ADO.NET, OLE DB),
# config files (.netrc, .npmrc, .yarnrc.yml, .pypirc, settings.xml, gradle.properties, .git-credentials,
# docker config.json, kubeconfig, composer auth.json, NuGet.Config, rclone.conf, .pgpass, my.cnf),
# command lines (curl, wget, sshpass, mysql, docker login, redis-cli, openssl, keytool), password hashes
# (severity low) and web-framework secrets (WordPress, Rails, Laravel, Django, Flask, Symfony).
# Database URL schemes are in databases.toml, private keys in keys.toml.
# Values that are templates (${VAR}, %s, {name}), placeholders and documentation's dummy passwords are
# rejected (see each rule's allowlist); ansible-vault and SOPS ciphertext is not a secret.""")
