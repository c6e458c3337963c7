"""Spec of rules/databases.toml: database connection URLs with an embedded password, JDBC forms, and the
tokens of database / data-platform services. The hand-written rules (postgres, mysql, mongodb, redis,
amqp, mssql, jdbc, oracle thin, snowflake URLs; PlanetScale, Supabase, Neon, Atlas, Databricks,
ClickHouse, Redis Cloud, Turso tokens) are read back from scripts/rulegen/hand/databases.toml and re-emitted beside the new ones.

Regenerate every pack with `python3 scripts/rulegen/regen.py`: it runs this spec and moves each
rule to the pack of its provider's category (`PACK_OF` in regen.py), so some rules written here
live in another pack.

Run:  python3 scripts/rulegen/regen.py
"""

from ckd_common import *  # noqa: F401,F403
from ckd_common import (HOST_ANY, URL_PW, URL_USER, dummy_allowlist, emit, existing_rules, password_sample,
                        url_host_allowlist, url_regex, url_text_allowlist, with_allow)

reseed(0xDA7A)

NEW = []


def add(r, *allow):
    if allow:
        with_allow(r, *allow)
    NEW.append(r)
    return r


DBHOSTS = ["db-prod-01.corp.internal", "10.0.7.21", "analytics.eu-west-1.rds.internal", "warehouse.svc.cluster.local",
           "dbhost.lan", "data-01.ops-intra.io"]


def dbhost():
    return rulegen._R.choice(DBHOSTS)


def dbuser():
    return rulegen._R.choice(["app", "etl", "report_ro", "svc_orders", "loader", "analytics", "billing"])


# ------------------------------------------------------------------------------------ URL schemes
def db_url_rule(id, provider, description, schemes, keywords, sample_schemes, env_var, tail, *, rotate=None,
                extra_neg=()):
    syntaxes = [
        lambda s, u, p, h: f"{env_var}={s}://{u}:{p}@{h}{tail}",
        lambda s, u, p, h: f"engine = create_engine(\"{s}://{u}:{p}@{h}{tail}\")",
        lambda s, u, p, h: f"  uri: '{s}://{u}:{p}@{h}{tail}'",
    ]
    ex = [syn(sample_schemes[i % len(sample_schemes)], dbuser(), password_sample(), dbhost()) for i, syn in enumerate(syntaxes)]
    s0 = sample_schemes[0]
    neg = [f"{env_var}={s0}://{dbuser()}:${{DB_PASSWORD}}@{dbhost()}{tail}",
           f"{env_var}={s0}://user:password@{dbhost()}{tail}",
           f"{env_var}={s0}://{dbuser()}:****@{dbhost()}{tail}",
           f"{env_var}={s0}://{dbuser()}@{dbhost()}{tail}",
           f"{env_var}={s0}://{dbhost()}{tail}",
           f"dsn = f\"{s0}://{{user}}:{{password}}@{{host}}{tail}\"",
           f"{s0}://{dbuser()}:<password>@{dbhost()}{tail}",
           f"{env_var}={s0}://{dbuser()}:{password_sample()}@localhost{tail}"] + list(extra_neg)
    r = rule(id, provider, description, url_regex(schemes), keywords, ex, neg, severity="critical", confidence="high",
             entropy=2.8, env_var=env_var, rotate=rotate)
    return add(r, dummy_allowlist(), url_host_allowlist(), url_text_allowlist())


db_url_rule("oracle-url-password", "oracle", "Oracle connection URL (SQLAlchemy oracle://, oracle+oracledb://) with an embedded password",
            r"oracle(?:\+[a-z0-9_]{1,20})?", ["oracle://", "oracle+"], ["oracle+oracledb", "oracle", "oracle+cx_oracle"],
            "DATABASE_URL", ":1521/?service_name=ORCLPDB1")
db_url_rule("cassandra-url-password", "cassandra", "Cassandra / ScyllaDB connection URL with an embedded password",
            r"cassandra|scylla(?:db)?|cql", ["cassandra://", "scylla://", "scylladb://", "cql://"], ["cassandra", "scylla", "cassandra"],
            "CASSANDRA_URL", ":9042/keyspace1")
db_url_rule("neo4j-url-password", "neo4j", "Neo4j / Memgraph (neo4j://, bolt://) URL with an embedded password",
            r"neo4j(?:\+s|\+ssc)?|bolt(?:\+s|\+ssc)?", ["neo4j://", "neo4j+s://", "neo4j+ssc://", "bolt://", "bolt+s://", "bolt+ssc://"],
            ["neo4j+s", "bolt", "neo4j"], "NEO4J_URI", ":7687")
db_url_rule("clickhouse-url-password", "clickhouse", "ClickHouse connection URL (clickhouse://, clickhouse+native://, clickhouses://) with an embedded password",
            r"clickhouses?(?:\+[a-z0-9_]{1,20})?|chdb", ["clickhouse://", "clickhouse+", "clickhouses://"],
            ["clickhouse", "clickhouse+native", "clickhouses"], "CLICKHOUSE_URL", ":9440/default?secure=true")
db_url_rule("cockroachdb-url-password", "cockroachdb", "CockroachDB connection URL (cockroachdb://) with an embedded password",
            r"cockroachdb(?:\+[a-z0-9_]{1,20})?", ["cockroachdb://", "cockroachdb+"], ["cockroachdb", "cockroachdb+psycopg2", "cockroachdb"],
            "DATABASE_URL", ":26257/defaultdb?sslmode=verify-full")
db_url_rule("influxdb-url-password", "influxdb", "InfluxDB 1.x connection URL (influxdb://) with an embedded password",
            r"influxdb|https\+influxdb|udp\+influxdb", ["influxdb://"], ["influxdb", "https+influxdb", "influxdb"],
            "INFLUXDB_URL", ":8086/metrics")
db_url_rule("db2-url-password", "db2", "IBM Db2 connection URL (db2://, ibm_db_sa://) with an embedded password",
            r"db2(?:\+[a-z0-9_]{1,20})?|ibm_db_sa(?:\+[a-z0-9_]{1,20})?", ["db2://", "db2+", "ibm_db_sa://", "ibm_db_sa+"],
            ["db2+ibm_db", "ibm_db_sa", "db2"], "DB2_URL", ":50000/BLUDB")
db_url_rule("redshift-url-password", "redshift", "Amazon Redshift connection URL (redshift://, redshift+psycopg2://) with an embedded password",
            r"redshift(?:\+[a-z0-9_]{1,20})?", ["redshift://", "redshift+"], ["redshift+psycopg2", "redshift", "redshift+redshift_connector"],
            "REDSHIFT_URL", ":5439/dev")
db_url_rule("trino-url-password", "trino", "Trino / Presto connection URL with an embedded password",
            r"trino|presto", ["trino://", "presto://"], ["trino", "presto", "trino"], "TRINO_URL", ":443/hive/default")
db_url_rule("hana-url-password", "sap-hana", "SAP HANA connection URL (hana://, hana+hdbcli://) with an embedded password",
            r"hana(?:\+[a-z0-9_]{1,20})?", ["hana://", "hana+"], ["hana", "hana+hdbcli", "hana"], "HANA_URL", ":30015")
db_url_rule("vertica-url-password", "vertica", "Vertica connection URL with an embedded password",
            r"vertica(?:\+[a-z0-9_]{1,20})?", ["vertica://", "vertica+"], ["vertica+vertica_python", "vertica", "vertica"],
            "VERTICA_URL", ":5433/analytics")
db_url_rule("teradata-url-password", "teradata", "Teradata connection URL (teradatasql://) with an embedded password",
            r"teradata(?:sql)?(?:\+[a-z0-9_]{1,20})?", ["teradata://", "teradatasql://", "teradata+"], ["teradatasql", "teradata", "teradatasql"],
            "TERADATA_URL", "/?logmech=TD2")
db_url_rule("crate-url-password", "cratedb", "CrateDB connection URL (crate://) with an embedded password",
            r"crate", ["crate://"], ["crate", "crate", "crate"], "CRATEDB_URL", ":4200")
db_url_rule("firebird-url-password", "firebird", "Firebird / InterBase connection URL with an embedded password",
            r"firebird(?:\+[a-z0-9_]{1,20})?|interbase", ["firebird://", "firebird+", "interbase://"], ["firebird+fdb", "firebird", "interbase"],
            "FIREBIRD_URL", ":3050//var/lib/firebird/data/app.fdb")
db_url_rule("sybase-url-password", "sybase", "SAP ASE / Sybase connection URL with an embedded password",
            r"sybase(?:\+[a-z0-9_]{1,20})?", ["sybase://", "sybase+"], ["sybase+pyodbc", "sybase", "sybase"], "SYBASE_URL", ":5000/ledger")
db_url_rule("edgedb-url-password", "gel", "Gel / EdgeDB DSN (gel://, edgedb://) with an embedded password",
            r"edgedb|gel", ["edgedb://", "gel://"], ["edgedb", "gel", "edgedb"], "GEL_DSN", ":5656/main")
db_url_rule("rethinkdb-url-password", "rethinkdb", "RethinkDB connection URL with an embedded password",
            r"rethinkdb", ["rethinkdb://"], ["rethinkdb", "rethinkdb", "rethinkdb"], "RETHINKDB_URL", ":28015/app")
db_url_rule("singlestore-url-password", "singlestore", "SingleStore / MemSQL connection URL with an embedded password",
            r"singlestoredb(?:\+[a-z0-9_]{1,20})?|memsql(?:\+[a-z0-9_]{1,20})?", ["singlestoredb://", "singlestoredb+", "memsql://", "memsql+"],
            ["singlestoredb", "memsql", "singlestoredb+mysqldb"], "SINGLESTORE_URL", ":3306/app")
db_url_rule("databend-url-password", "databend", "Databend connection URL with an embedded password",
            r"databend(?:\+[a-z0-9_]{1,20})?", ["databend://", "databend+"], ["databend", "databend", "databend"], "DATABEND_DSN",
            ":443/default?sslmode=enable")
# CouchDB and Elasticsearch/OpenSearch speak HTTP: their own schemes, or http(s) to their ports / hosted domains.
HTTP_DB = r"""(?i)\b(?:{s})://{u}:{p}@{h}|\bhttps?://{u}:{p}@(?:{hh})"""
add(rule("couchdb-url-password", "couchdb", "CouchDB / Cloudant URL (couchdb://, or http(s) to port 5984/6984 or *.cloudant.com) with an embedded password",
         HTTP_DB.format(s="couchdbs?", u=URL_USER, p=URL_PW, h=HOST_ANY,
                        hh=r"""(?:[A-Za-z0-9\-]{1,63}\.){1,8}(?:cloudant\.com|cloudantnosqldb\.appdomain\.cloud)|[A-Za-z0-9.\-]{1,253}:(?:5984|6984)\b"""),
         ["couchdb://", "couchdbs://", ":5984", ":6984", "cloudant"],
         [f"COUCHDB_URL=http://admin:{password_sample()}@{dbhost()}:5984/", f"couch = couchdb.Server('https://{dbuser()}:{password_sample()}@acct-123.cloudantnosqldb.appdomain.cloud')",
          f"  url: couchdb://{dbuser()}:{password_sample()}@{dbhost()}/orders"],
         ["COUCHDB_URL=http://admin:${COUCHDB_PASSWORD}@couch:5984/", "COUCHDB_URL=http://admin:password@couch:5984/",
          "http://admin:" + password_sample() + "@localhost:5984/", "http://couch.internal:5984/_utils"],
         severity="critical", entropy=2.8, env_var="COUCHDB_URL", secret_group=None),
    dummy_allowlist(), url_host_allowlist(), url_text_allowlist())
add(rule("elasticsearch-url-password", "elasticsearch", "Elasticsearch / OpenSearch URL (elasticsearch://, or http(s) to port 9200/9243 or a hosted domain) with an embedded password",
         HTTP_DB.format(s=r"(?:elasticsearch|opensearch)(?:\+https?)?", u=URL_USER, p=URL_PW, h=HOST_ANY,
                        hh=r"""(?:[A-Za-z0-9\-]{1,63}\.){1,8}(?:es\.io|elastic-cloud\.com|found\.io|bonsai(?:search)?\.(?:io|net)|searchly\.com|aivencloud\.com(?=x)?)(?::[0-9]{2,5})?|[A-Za-z0-9.\-]{1,253}:(?:9200|9243)\b""".replace("(?=x)?", "")),
         ["elasticsearch://", "elasticsearch+", "opensearch://", "opensearch+", ":9200", ":9243", ".es.io", "elastic-cloud.com", "found.io", "bonsai"],
         [f"ELASTICSEARCH_URL=https://elastic:{password_sample()}@my-deploy.es.us-east-1.aws.found.io:9243",
          f"es = Elasticsearch('http://{dbuser()}:{password_sample()}@{dbhost()}:9200')",
          f"  hosts: ['opensearch+https://{dbuser()}:{password_sample()}@{dbhost()}/logs']"],
         ["ELASTICSEARCH_URL=https://elastic:${ELASTIC_PASSWORD}@es:9200", "ELASTICSEARCH_URL=http://elastic:changeme@es01:9200",
          "url = 'elasticsearch+https://fake_user:fake_pass@localhost:9200/index'", "http://es.internal:9200/_cat/indices"],
         severity="critical", entropy=2.8, env_var="ELASTICSEARCH_URL", secret_group=None),
    dummy_allowlist(), url_host_allowlist(), url_text_allowlist())
add(rule("oracle-jdbc-oci-password", "oracle", "Oracle JDBC OCI / KPRB URL with user/password (jdbc:oracle:oci:user/pass@...)",
         r"""(?i)\bjdbc:oracle:(?:oci8?|kprb):[A-Za-z0-9_$#.]{1,64}/([^@/\s"'<>$%{\[][^@/\s"'<>]{3,127})@""",
         ["jdbc:oracle:oci", "jdbc:oracle:kprb"],
         [f"url=jdbc:oracle:oci:scott/{password_sample()}@//ora-prod.corp:1521/ORCLPDB1",
          f"\"jdbc:oracle:oci8:HR/{password_sample(14)}@PRODDB\""],
         ["url=jdbc:oracle:oci:@//ora:1521/XE", "jdbc:oracle:oci:scott/${ORACLE_PWD}@//db:1521/XE",
          "jdbc:oracle:oci:system/oracle@localhost:1521:XE"],
         severity="critical", entropy=2.5, env_var="SPRING_DATASOURCE_URL"), dummy_allowlist())

# ------------------------------------------------------------------------- data-platform tokens
add(rule("mongodb-atlas-service-account-secret", "mongodb", "MongoDB Atlas service account client secret (mdb_sa_sk_)",
         r"""\b(mdb_sa_sk_[A-Za-z0-9_\-]{40})(?:[^A-Za-z0-9_\-]|$)""", ["mdb_sa_sk_"],
         [f"ATLAS_CLIENT_SECRET=mdb_sa_sk_{b62(40)}", f"  clientSecret: \"mdb_sa_sk_{b64url(40)}\"",
          f"MDB_MCP_API_CLIENT_SECRET='mdb_sa_sk_{b62(40)}'"],
         ["ATLAS_CLIENT_SECRET=mdb_sa_sk_...", "placeholder: 'mdb_sa_sk_\u2026'", f"ATLAS_CLIENT_ID=mdb_sa_id_{hexs(24)}",
          f"mdb_sa_sk_{b62(12)}"],
         severity="critical", entropy=3.5, env_var="MDB_MCP_API_CLIENT_SECRET",
         rotate="https://cloud.mongodb.com/v2#/org/access/serviceAccounts"))
add(rule("neon-role-password", "neon", "Neon Postgres role password (npg_)", r"""\b(npg_[A-Za-z0-9]{12})(?:[^A-Za-z0-9_\-]|$)""", ["npg_"],
         [f"DATABASE_URL=postgresql://neondb_owner:npg_{b62(12)}@ep-cool-darkness-a1b2c3d4-pooler.us-east-2.aws.neon.tech/neondb?sslmode=require",
          f"PGPASSWORD=npg_{b62(12)}", f"  password: \"npg_{b62(12)}\""],
         ["PGPASSWORD=npg_...", "npg_catalog_tables", f"npg_{b62(8)}", "#include <npg_types.h>"],
         severity="critical", entropy=3.0, env_var="PGPASSWORD",
         rotate="https://neon.com/docs/manage/roles#reset-a-password"),
    {"description": "identifiers", "regexTarget": "secret", "regexes": [r"^npg_[a-z_]+$"]})
add(rule("cockroachdb-cloud-api-key", "cockroachdb", "CockroachDB Cloud service account API key (CCDB1_<id>_<secret>)",
         r"""\b(CCDB1_[A-Za-z0-9]{22}_[A-Za-z0-9]{40})\b""", ["ccdb1_"],
         [f"COCKROACH_API_KEY=CCDB1_{b62(22)}_{b62(40)}", f"provider \"cockroach\" {{\n  apikey = \"CCDB1_{b62(22)}_{b62(40)}\"\n}}"],
         ["COCKROACH_API_KEY=CCDB1_test_key_that_is_not_real", f"CREATOR_KEY_ID = \"CCDB1_{b62(22)}\"", "SUBROUTINE CCDB1_ABIA( IMAGE )"],
         severity="critical", entropy=3.5, env_var="COCKROACH_API_KEY",
         rotate="https://cockroachlabs.cloud/access/serviceaccounts"))
add(rule("astra-db-application-token", "datastax", "DataStax Astra DB application token (AstraCS:<client id>:<64 hex>)",
         r"""\b(AstraCS:[A-Za-z0-9]{24}:[0-9a-f]{64})\b""", ["astracs:"],
         [f"ASTRA_DB_APPLICATION_TOKEN=AstraCS:{b62(24)}:{hexs(64)}", f"client = DataAPIClient(\"AstraCS:{b62(24)}:{hexs(64)}\")"],
         ["ASTRA_DB_APPLICATION_TOKEN=\"AstraCS:.........\"", "if (!token.startsWith(\"AstraCS:\"))", f"AstraCS:{b62(24)}:{hexs(20)}"],
         severity="critical", entropy=3.5, env_var="ASTRA_DB_APPLICATION_TOKEN", rotate="https://astra.datastax.com/"))
add(rule("databricks-oauth-secret", "databricks", "Databricks service principal OAuth secret (dose)",
         r"""\b(dose[0-9a-f]{32}(?:-[0-9])?)\b""", ["dose"],
         [f"DATABRICKS_CLIENT_SECRET=dose{hexs(32)}", f"  client_secret: dose{hexs(32)}"],
         ["DATABRICKS_CLIENT_SECRET=dosexxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "take a dose of medicine", f"dose{hexs(12)}"],
         severity="critical", entropy=3.0, env_var="DATABRICKS_CLIENT_SECRET",
         rotate="https://docs.databricks.com/en/dev-tools/auth/oauth-m2m.html"))
add(rule("xata-api-key", "xata", "Xata API key (xau_)", r"""\b(xau_[A-Za-z0-9]{32,40})\b""", ["xau_"],
         [f"XATA_API_KEY=xau_{b62(33)}", f"DATABASE_URL=postgresql://ws1234:xau_{b62(33)}@us-east-1.sql.xata.sh/app:main?sslmode=require"],
         ["XATA_API_KEY=xau_*********************************", "XATA_API_KEY=xau_yourapikey", "XATA_API_KEY=xau_xxxxxxxxxxxxx"],
         severity="critical", entropy=3.5, env_var="XATA_API_KEY", rotate="https://app.xata.io/settings"))
add(rule("convex-deploy-key", "convex", "Convex deploy / admin key (prod:|preview:|dev:|project: deployment|secret) beside a convex key name",
         r"""(?i:convex)[\w.\-]{0,20}(?i:deploy[_.\-]?key|admin[_.\-]?key|self[_.\-]?hosted[_.\-]?admin[_.\-]?key)["'`]?\s{0,3}(?:=|:|=>)\s{0,3}["'`]?((?:prod|preview|dev|project):[a-z0-9\-]{3,64}(?:\|[A-Za-z0-9+/=_\-]{40,400}|:[0-9a-f]{64}))""",
         ["convex"],
         [f"CONVEX_DEPLOY_KEY=prod:happy-otter-123|{b64(120)}", f"CONVEX_DEPLOY_KEY=prod:giddy-dachshund-854:{hexs(64)}",
          f"  CONVEX_DEPLOY_KEY: \"preview:team-x:proj-y|{b64url(100)}\"".replace(":proj-y", "")],
         ["CONVEX_DEPLOY_KEY=prod:...", "CONVEX_DEPLOY_KEY=prod:famous-cricket-102|...", "CONVEX_DEPLOYMENT=prod:fleet-goldfish-183",
          "CONVEX_DEPLOY_KEY=prod:your-convex-deploy-key"],
         severity="critical", confidence="medium", entropy=3.5, env_var="CONVEX_DEPLOY_KEY",
         rotate="https://dashboard.convex.dev/"))
add(rule("tinybird-token", "tinybird", "Tinybird auth token (p.eyJ...)", r"""\b(p\.eyJ[A-Za-z0-9_\-]{20,600}\.[A-Za-z0-9_\-]{20,200})(?:[^A-Za-z0-9_\-.]|$)""",
         ["p.eyj"],
         [f"TB_TOKEN=p.eyJ1IjogIj{b64url(60)}.{b64url(43)}", f"TINYBIRD_TOKEN=\"p.eyJ1IjogI{b64url(90)}.{b64url(43)}\""],
         ["TB_TOKEN=p.eyJxxx tb --cloud workspace ls", "TB_TOKEN=p.eyJ...", "token: p.eyJ1IjogIjU3"],
         severity="critical", entropy=4.0, env_var="TB_TOKEN", rotate="https://cloud.tinybird.co/tokens"))
add(rule("fauna-secret", "fauna", "Fauna database key secret (fn...) beside a fauna key name",
         r"""(?i:fauna)[\w.\-]{0,25}(?i:secret|key|token)[\w.\-]{0,10}["'`]?\s{0,3}(?:=|:=|=>|:|\()\s{0,3}["'`]?(fn[A-Z][A-Za-z0-9_\-]{36,37})(?:[^A-Za-z0-9_\-]|$)""",
         ["fauna"], [f"FAUNA_SECRET=fnAE{b64url(36)}", f"  faunaKey: 'fnAD{b64url(36)}',", f"const client = new faunadb.Client({{ secret: 'fnAF{b64url(36)}' }})".replace("faunadb.Client({ secret", "FaunaClient({ fauna_secret")],
         ["FAUNA_SECRET=${FAUNA_SECRET}", "FAUNA_SECRET=fnA...", "fauna_key: <secret>"],
         severity="critical", confidence="medium", entropy=3.5, env_var="FAUNA_SECRET"))
add(rule("upstash-redis-rest-token", "upstash", "Upstash Redis REST token beside an upstash key name",
         r"""(?i:upstash|kv[_.\-]rest[_.\-]api)[\w.\-]{0,30}(?i:token)["'`]?\s{0,3}(?:=|:=|=>|:)\s{0,3}["'`]?([A-Za-z0-9+/_\-]{40,200}={0,2})(?:[^A-Za-z0-9+/=_\-]|$)""",
         ["upstash", "kv_rest_api", "kv-rest-api"],
         [f"UPSTASH_REDIS_REST_TOKEN=\"AX{b64(70)}=\"", f"KV_REST_API_TOKEN=gQAAAAAAA{b64(60)}", f"  upstashRedisRestToken: 'AY{b64(66)}'"],
         ["UPSTASH_REDIS_REST_TOKEN=${UPSTASH_REDIS_REST_TOKEN}", "UPSTASH_REDIS_REST_TOKEN=your_upstash_token_here",
          "KV_REST_API_READ_ONLY_TOKEN=<token>", f"UPSTASH_REDIS_REST_URL=https://{b62(12).lower()}.upstash.io"],
         severity="critical", confidence="medium", entropy=4.0, env_var="UPSTASH_REDIS_REST_TOKEN",
         rotate="https://console.upstash.com/"))
QSTASH_DEV = "eyJVc2VySUQiOiJkZWZhdWx0VXNlciIsIlBhc3N3b3JkIjoiZGVmYXVsdFBhc3N3b3JkIn0="


def qstash_token():
    import base64
    raw = '{"UserID":"' + uuid4() + '","Password":"' + hexs(32) + '"}'
    return base64.b64encode(raw.encode()).decode()


add(rule("upstash-qstash-token", "upstash", "Upstash QStash token (base64 of {\"UserID\":..., \"Password\":...})",
         r"""\b(eyJVc2VySUQiOi[A-Za-z0-9+/]{40,300}={0,2})(?:[^A-Za-z0-9+/=]|$)""", ["eyjvc2vysuqioi"],
         [f"QSTASH_TOKEN={qstash_token()}", f"  qstashToken: \"{qstash_token()}\""],
         [f"QSTASH_TOKEN={QSTASH_DEV}", "QSTASH_TOKEN=eyJVc2VySUQiOi...", "QSTASH_TOKEN=${QSTASH_TOKEN}"],
         severity="critical", entropy=4.0, env_var="QSTASH_TOKEN", rotate="https://console.upstash.com/qstash"),
    {"description": "the QStash local development server's token", "regexTarget": "secret", "stopwords": [QSTASH_DEV.lower()]})
add(rule("upstash-qstash-signing-key", "upstash", "Upstash QStash signing key (sig_...) beside a qstash signing key name",
         r"""(?i:qstash)[\w.\-]{0,20}(?i:signing[_.\-]?key)["'`]?\s{0,3}(?:=|:=|=>|:)\s{0,3}["'`]?(sig_[A-Za-z0-9]{20,40})(?:[^A-Za-z0-9]|$)""",
         ["qstash"], [f"QSTASH_CURRENT_SIGNING_KEY=sig_{b62(28)}", f"QSTASH_NEXT_SIGNING_KEY=\"sig_{b62(28)}\""],
         ["QSTASH_CURRENT_SIGNING_KEY=sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r", "QSTASH_CURRENT_SIGNING_KEY=${QSTASH_CURRENT_SIGNING_KEY}",
          "QSTASH_NEXT_SIGNING_KEY=sig_..."],
         severity="high", confidence="medium", entropy=3.5, env_var="QSTASH_CURRENT_SIGNING_KEY",
         rotate="https://console.upstash.com/qstash"),
    {"description": "the QStash local development server's signing keys", "regexTarget": "secret",
     "regexes": [r"^sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r", r"^sig_5ZB6DVzB1wjE8S6rZ7eenA8Pdnhs"]})
add(rule("upstash-management-api-key", "upstash", "Upstash management (developer) API key beside an upstash key name",
         r"""(?i:upstash)[\w.\-]{0,20}(?i:api[_.\-]?key|management[_.\-]?key|developer[_.\-]?key)["'`]?\s{0,3}(?:=|:=|=>|:)\s{0,3}["'`]?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b""",
         ["upstash"], [f"UPSTASH_API_KEY={uuid4()}", f"upstash_api_key = \"{uuid4()}\""],
         ["UPSTASH_API_KEY=${UPSTASH_API_KEY}", "UPSTASH_API_KEY=<uuid>", f"UPSTASH_EMAIL=ops@corp.io"],
         severity="critical", confidence="medium", entropy=3.0, env_var="UPSTASH_API_KEY", rotate="https://console.upstash.com/account/api"))
add(rule("influxdb-api-token", "influxdb", "InfluxDB 2.x / Cloud API token (86 base64url + ==) beside an influx key name",
         r"""(?i:influx)[\w.\-]{0,25}(?i:token)["'`]?\s{0,3}(?:=|:=|=>|:|\s)\s{0,3}["'`]?([A-Za-z0-9_\-]{86}==)""",
         ["influx"], [f"INFLUXDB_TOKEN={b64url(86)}==", f"influx_token: \"{b64url(86)}==\"", f"export INFLUX_TOKEN='{b64url(86)}=='"],
         ["INFLUXDB_TOKEN=${INFLUXDB_TOKEN}", "INFLUXDB_TOKEN=my-super-secret-auth-token", f"INFLUXDB_ORG_ID={hexs(16)}"],
         severity="critical", confidence="medium", entropy=4.5, env_var="INFLUXDB_TOKEN",
         rotate="https://docs.influxdata.com/influxdb/cloud/admin/tokens/"))
add(rule("aiven-api-token", "aiven", "Aiven API / personal token beside an aiven key name",
         r"""(?i:aiven)[\w.\-]{0,25}(?i:token|api[_.\-]?key)["'`]?\s{0,3}(?:=|:=|=>|:|\s)\s{0,3}["'`]?([A-Za-z0-9+/]{200,400}={0,2})(?:[^A-Za-z0-9+/=]|$)""",
         ["aiven"], [f"AIVEN_TOKEN={b64(372)}", f"  aiven_api_token = \"{b64(300)}==\""],
         ["AIVEN_TOKEN=${AIVEN_TOKEN}", "AIVEN_TOKEN=<token>", f"AIVEN_PROJECT=analytics-{b62(6).lower()}"],
         severity="critical", confidence="medium", entropy=4.5, env_var="AIVEN_TOKEN", rotate="https://console.aiven.io/profile/tokens"))
add(rule("hasura-admin-secret", "hasura", "Hasura GraphQL admin secret",
         r"""(?i:hasura)[\w.\-]{0,30}(?i:admin[_.\-]?secret|access[_.\-]?key)["'`]?\s{0,3}(?:=|:=|=>|:|\s)\s{0,3}["'`]?([A-Za-z0-9!#%&*+\-.=?@^_~]{16,128})(?:["'`\s,;]|$)""",
         ["hasura"], [f"HASURA_GRAPHQL_ADMIN_SECRET={b62(64)}", f"      HASURA_GRAPHQL_ADMIN_SECRET: \"{b62(40)}\"",
                      f"-H 'x-hasura-admin-secret: {b62(64)}'"],
         ["HASURA_GRAPHQL_ADMIN_SECRET=${HASURA_GRAPHQL_ADMIN_SECRET}", "HASURA_GRAPHQL_ADMIN_SECRET: myadminsecretkey",
          "x-hasura-admin-secret: <admin-secret>", "HASURA_GRAPHQL_ADMIN_SECRET=myadminsecret"],
         severity="critical", confidence="medium", entropy=3.5, env_var="HASURA_GRAPHQL_ADMIN_SECRET"),
    {"description": "tutorial secrets", "regexTarget": "secret", "regexes": [r"(?i)^my[\w\-]*secret[\w\-]*$|^(?:admin|hasura)[\w\-]*secret[\w\-]*$"]})
add(rule("motherduck-token", "motherduck", "MotherDuck access token (motherduck_token=... or beside a motherduck key name)",
         r"""(?:(?i:motherduck_token)=|(?i:motherduck)[\w.\-]{0,20}(?i:token)["'`]?\s{0,3}(?:=|:|=>)\s{0,3}["'`]?)(eyJ[A-Za-z0-9_\-]{10,}\.eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{20,})""",
         ["motherduck"],
         [f"duckdb.connect('md:analytics?motherduck_token=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ{b64url(80)}.{b64url(43)}')",
          f"MOTHERDUCK_TOKEN=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ{b64url(90)}.{b64url(43)}"],
         ["MOTHERDUCK_TOKEN=${MOTHERDUCK_TOKEN}", "md:?motherduck_token=<token>", "motherduck_token is read from the environment"],
         severity="critical", entropy=4.0, env_var="MOTHERDUCK_TOKEN", rotate="https://app.motherduck.com/settings/tokens"))
add(rule("prisma-accelerate-api-key", "prisma", "Prisma Accelerate / Prisma Postgres connection string api_key",
         r"""\bprisma(?:\+postgres)?://[A-Za-z0-9.\-]{1,253}(?::[0-9]{2,5})?/?\?(?:[^\s"'?#]{0,200}&)?api_key=(eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{20,})""",
         ["prisma://", "prisma+postgres://"],
         [f"DATABASE_URL=\"prisma://accelerate.prisma-data.net/?api_key=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ{b64url(120)}.{b64url(43)}\"",
          f"DATABASE_URL=prisma+postgres://accelerate.prisma-data.net/?api_key=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ{b64url(140)}.{b64url(43)}"],
         ["DATABASE_URL=\"prisma://accelerate.prisma-data.net/?api_key=__API_KEY__\"",
          "DATABASE_URL=prisma+postgres://localhost:51213/?api_key=${PRISMA_KEY}", "prisma://accelerate.prisma-data.net/?api_key=eyJ..."],
         severity="critical", entropy=4.0, env_var="DATABASE_URL", rotate="https://console.prisma.io/"))
add(rule("neo4j-aura-password", "neo4j", "Neo4j Aura generated password beside a neo4j password key",
         r"""(?i:neo4j)[\w.\-]{0,20}(?i:pass(?:word)?|pwd)["'`]?\s{0,3}(?:=|:=|=>|:)\s{0,3}["'`]?([A-Za-z0-9_\-]{43})(?:[^A-Za-z0-9_\-]|$)""",
         ["neo4j"], [f"NEO4J_PASSWORD={b64url(43)}", f"neo4j_password: \"{b64url(43)}\""],
         ["NEO4J_PASSWORD=${NEO4J_PASSWORD}", "NEO4J_PASSWORD=password", "NEO4J_PASSWORD=<aura-generated-password>"],
         severity="critical", confidence="medium", entropy=4.0, env_var="NEO4J_PASSWORD", rotate="https://console.neo4j.io/"))
add(rule("supabase-jwt-secret", "supabase", "Supabase project JWT secret (signs service_role and anon keys)",
         r"""(?i:supabase)[\w.\-]{0,20}(?i:jwt[_.\-]?secret)["'`]?\s{0,3}(?:=|:=|=>|:)\s{0,3}["'`]?([A-Za-z0-9+/=_\-]{32,128})(?:["'`\s,;]|$)""",
         ["supabase"], [f"SUPABASE_JWT_SECRET={b64(40)}", f"  supabaseJwtSecret: \"{b64(64)}\""],
         ["SUPABASE_JWT_SECRET=super-secret-jwt-token-with-at-least-32-characters-long", "SUPABASE_JWT_SECRET=${SUPABASE_JWT_SECRET}",
          "SUPABASE_JWT_SECRET=<jwt-secret>"],
         severity="critical", confidence="medium", entropy=4.0, env_var="SUPABASE_JWT_SECRET",
         rotate="https://supabase.com/dashboard/project/_/settings/jwt"),
    {"description": "supabase start's local development secret", "regexTarget": "secret",
     "stopwords": ["super-secret-jwt-token-with-at-least-32-characters-long"]})

# --------------------------------------------------------------------- the hand-written rules
NEW_IDS = {r["id"] for r in NEW}
OLD = [r for r in existing_rules("databases") if r["id"] not in NEW_IDS]
CTX = {"mongodb-atlas-api-private-key", "snowflake-password", "redis-cloud-api-key", "turso-auth-token",
       "supabase-service-role-key", "clickhouse-cloud-api-secret"}
ALIASES = {"planetscale-service-token": ["planetscale-api-token"], "planetscale-password": ["planetscale-password"],
           "planetscale-oauth-token": ["planetscale-oauth-token"], "databricks-personal-access-token": ["databricks-api-token"],
           "clickhouse-cloud-api-secret": ["clickhouse-cloud-api-secret-key"]}
# The hand-written URL rules get the same password alphabet, host allowlist and dummy list as the new ones
# (their first versions reported URL-parser test data and localhost samples in real packages).
OLD_PW = r"""([^@/\s"'<>$%{\[][^@/\s"'<>]{3,127})@[^\s/@"'<>]"""
EXTRA_NEG = {
    "planetscale-service-token": "pscale service-token create prints a pscale_tkn_ value once",
    "planetscale-password": "passwords start with pscale_pw_ and are shown once",
    "planetscale-oauth-token": "OAuth tokens carry the pscale_oauth_ prefix",
    "supabase-personal-access-token": "personal access tokens start with sbp_ followed by 40 hex",
    "supabase-secret-key": "secret keys start with sb_secret_ (publishable ones with sb_publishable_)",
    "clickhouse-cloud-api-secret": "ClickHouse Cloud secrets begin with 4b1d",
}
for r in OLD:
    if r["id"] in EXTRA_NEG and EXTRA_NEG[r["id"]] not in r["negative_examples"]:
        r["negative_examples"] = r["negative_examples"] + [EXTRA_NEG[r["id"]]]
for r in OLD:
    if r["id"].endswith("-url-password"):  # (re-reading this spec's own output: the replace is a no-op)
        r["regex"] = r["regex"].replace(OLD_PW, URL_PW + "@" + HOST_ANY)
        r["entropy"] = 2.8
        r["allowlists"] = [dummy_allowlist(), url_host_allowlist(), url_text_allowlist()]

EXTRA_NEG = {
    "planetscale-service-token": "pscale service-token create prints a pscale_tkn_ value once",
    "planetscale-password": "passwords start with pscale_pw_ and are shown once",
    "planetscale-oauth-token": "OAuth tokens carry the pscale_oauth_ prefix",
    "supabase-personal-access-token": "personal access tokens start with sbp_ followed by 40 hex",
    "supabase-secret-key": "secret keys start with sb_secret_ (publishable ones with sb_publishable_)",
    "clickhouse-cloud-api-secret": "ClickHouse Cloud secrets begin with 4b1d",
}
for r in OLD:
    if r["id"] in EXTRA_NEG and EXTRA_NEG[r["id"]] not in r["negative_examples"]:
        r["negative_examples"] = r["negative_examples"] + [EXTRA_NEG[r["id"]]]
for r in OLD:
    if r["id"].endswith("-url-password"):
        r["examples"] = [e.replace("@127.0.0.1/", "@10.0.3.18/") for e in r["examples"]]
    r["confidence"] = "medium" if r["id"] in CTX else "high"
    if r["id"] in ALIASES:
        r["aliases"] = ALIASES[r["id"]]

# Where a database password is changed (the server's ALTER USER / password documentation).
ROTATE = {
    "postgres-url-password": "https://www.postgresql.org/docs/current/sql-alterrole.html",
    "mysql-url-password": "https://dev.mysql.com/doc/refman/8.0/en/alter-user.html",
    "mongodb-url-password": "https://www.mongodb.com/docs/manual/reference/method/db.changeUserPassword/",
    "redis-url-password": "https://redis.io/docs/latest/operate/oss_and_stack/management/security/acl/",
    "amqp-url-password": "https://www.rabbitmq.com/docs/passwords",
    "mssql-url-password": "https://learn.microsoft.com/en-us/sql/t-sql/statements/alter-login-transact-sql",
    "oracle-url-password": "https://docs.oracle.com/en/database/oracle/oracle-database/19/sqlrf/ALTER-USER.html",
    "oracle-jdbc-thin-password": "https://docs.oracle.com/en/database/oracle/oracle-database/19/sqlrf/ALTER-USER.html",
    "oracle-jdbc-oci-password": "https://docs.oracle.com/en/database/oracle/oracle-database/19/sqlrf/ALTER-USER.html",
    "neo4j-url-password": "https://neo4j.com/docs/operations-manual/current/authentication-authorization/manage-users/",
    "clickhouse-url-password": "https://clickhouse.com/docs/en/sql-reference/statements/alter/user",
    "elasticsearch-url-password": "https://www.elastic.co/guide/en/elasticsearch/reference/current/change-passwords-native-users.html",
    "couchdb-url-password": "https://docs.couchdb.org/en/stable/intro/security.html",
    "cassandra-url-password": "https://cassandra.apache.org/doc/latest/cassandra/managing/operating/security.html",
    "cockroachdb-url-password": "https://www.cockroachlabs.com/docs/stable/alter-user",
    "redshift-url-password": "https://docs.aws.amazon.com/redshift/latest/dg/r_ALTER_USER.html",
    "fauna-secret": "https://dashboard.fauna.com/",
    "hasura-admin-secret": "https://hasura.io/docs/latest/deployment/securing-graphql-endpoint/",
}
for r in OLD + NEW:
    if not r.get("rotate") and r["id"] in ROTATE:
        r["rotate"] = ROTATE[r["id"]]

if __name__ == "__main__":
    emit(OLD + NEW, """# leakless built-in rules: databases and data platforms -- connection URLs with embedded passwords for
# every database scheme (postgres, mysql, mongodb, redis, amqp, mssql, oracle, cassandra, neo4j, clickhouse,
# cockroachdb, influxdb, db2, redshift, trino, hana, vertica, teradata, crate, firebird, sybase, gel,
# rethinkdb, singlestore, databend, couchdb, elasticsearch/opensearch, snowflake), JDBC forms, and DBaaS
# tokens (PlanetScale, Supabase, Neon, MongoDB Atlas, Databricks, ClickHouse Cloud, Redis Cloud, Turso,
# CockroachDB Cloud, Astra DB, Xata, Convex, Tinybird, Fauna, Upstash, InfluxDB, Aiven, Hasura, MotherDuck,
# Prisma Accelerate, Neo4j Aura).
# URL rules capture only the password (secretGroup) and skip URLs without one, template references
# (${VAR}, $VAR, {var}, %s), documentation/loopback hosts and well-known default/dummy passwords.
# Format: gitleaks v8 rules plus leakless fields. Example values are randomly generated fakes.""")
