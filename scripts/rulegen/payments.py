"""Spec of rules/payments.toml: card processors, PSPs, commerce platforms, crypto exchanges.

Regenerate every pack with `python3 scripts/rulegen/regen.py`: it runs this spec and moves each
rule to the pack of its provider's category (`PACK_OF` in regen.py), so some rules written here
live in another pack.

Run `python3 scripts/rulegen/regen.py` (hand-written rules are read from scripts/rulegen/hand/payments.toml) and then `leakless rules check rules/payments.toml`. Every pattern below is
written from the provider's documented token format; example values are random fakes.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from rulegen import (  # noqa: E402
    ALNUM, B64CHARS, HEX, LOWERNUM, PREFIXED, UPPERNUM, UUID, URLSAFE, Fmt, alnum_lower, alnum_upper, b62, b64, b64url, ctx_rule, digits, hexs, prefix_rule, rand, reseed, rule,
    uuid4,
)
from pam_common import generate, pnegs  # noqa: E402

reseed(0x9A7)

UUID_RE = UUID().regex
B32L = "abcdefghijklmnopqrstuvwxyz234567"


def jwt_sample():
    return "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9." + "eyJ" + b64url(180) + "." + b64url(342)


JWT = Fmt(r"eyJ[A-Za-z0-9_\-]{15,200}\.eyJ[A-Za-z0-9_\-]{50,1500}\.[A-Za-z0-9_\-]{340,344}",
          jwt_sample)

R = []

# ---------------------------------------------------------------- Stripe
R += [
    prefix_rule(
        "stripe-test-restricted-key", "stripe",
        "Stripe test-mode restricted API key (rk_test_)",
        regex=r"\b(rk_test_[0-9A-Za-z]{24,247})\b", keywords=["rk_test_"],
        sample=lambda: "rk_test_51" + b62(97), env_var="STRIPE_RESTRICTED_KEY", severity="low",
        rotate="https://dashboard.stripe.com/test/apikeys", aliases=["stripe-access-token"],
        negatives=pnegs("STRIPE_RESTRICTED_KEY", "rk_test_", lambda: "rk_test_" + b62(24),
                        "rk_live_<your-restricted-key>")),
]

R += [
    ctx_rule("stripe-connect-refresh-token", "stripe",
             "Stripe Connect OAuth refresh token (rt_, next to stripe refresh token)",
             name=r"stripe[_.\-]?(?:connect[_.\-]?)?refresh[_.\-]?token", key="STRIPE_REFRESH_TOKEN",
             keywords=[f"stripe{s}{w}" for s in ("_", "-", ".", "") for w in ("refresh", "connect")],
             value=Fmt(r"rt_[A-Za-z0-9]{24,128}", lambda: "rt_" + b62(40)), entropy=4.0,
             rotate="https://dashboard.stripe.com/settings/connect"),
]

# ---------------------------------------------------------------- PayPal / Braintree
R += [
    ctx_rule("braintree-private-key", "braintree", "Braintree API private key (32 hex next to braintree)",
             name=r"braintree[\w.\-]{0,20}private[_.\-]?key", key="BRAINTREE_PRIVATE_KEY",
             value=HEX(32), severity="critical",
             rotate="https://www.braintreegateway.com/login"),
    prefix_rule(
        "paypal-oauth-access-token", "paypal", "PayPal OAuth 2.0 access token (A21AA...)",
        regex=r"\b(A21AA[A-Za-z0-9_\-]{80,120})(?:[^A-Za-z0-9_\-]|$)", keywords=["a21aa"],
        sample=lambda: "A21AA" + b64url(92), env_var="PAYPAL_ACCESS_TOKEN", entropy=4.0,
        rotate="https://developer.paypal.com/dashboard/applications",
        negatives=pnegs("PAYPAL_ACCESS_TOKEN", "A21AA", lambda: "A21AA" + b64url(92),
                        "Authorization: Bearer A21AA...")),
]

# ---------------------------------------------------------------- Square
R += [
    prefix_rule(
        "square-sandbox-access-token", "square", "Square legacy sandbox access token (sandbox-sq0atb-)",
        regex=r"\b(sandbox-sq0atb-[0-9A-Za-z_\-]{22})(?:[^A-Za-z0-9_\-]|$)",
        keywords=["sandbox-sq0atb-"], sample=lambda: "sandbox-sq0atb-" + b64url(22),
        env_var="SQUARE_ACCESS_TOKEN", severity="low",
        rotate="https://developer.squareup.com/apps",
        negatives=pnegs("SQUARE_ACCESS_TOKEN", "sandbox-sq0atb-", lambda: "sandbox-sq0atb-" + b64url(22))),
    prefix_rule(
        "square-sandbox-oauth-secret", "square", "Square sandbox OAuth application secret (sandbox-sq0csb-)",
        regex=r"\b(sandbox-sq0csb-[0-9A-Za-z_\-]{43})(?:[^A-Za-z0-9_\-]|$)",
        keywords=["sandbox-sq0csb-"], sample=lambda: "sandbox-sq0csb-" + b64url(43),
        env_var="SQUARE_APPLICATION_SECRET", severity="low", entropy=3.5,
        rotate="https://developer.squareup.com/apps",
        negatives=pnegs("SQUARE_APPLICATION_SECRET", "sandbox-sq0csb-", lambda: "sandbox-sq0csb-" + b64url(43))),
]

# ---------------------------------------------------------------- Adyen
R += [
    ctx_rule("adyen-hmac-key", "adyen", "Adyen webhook HMAC signing key (64 hex next to adyen hmac)",
             name=r"adyen[\w.\-]{0,20}hmac", key="ADYEN_HMAC_KEY", value=HEX(64, upper=True),
             severity="high",
             rotate="https://docs.adyen.com/development-resources/webhooks/verify-hmac-signatures"),
]

# ---------------------------------------------------------------- Checkout.com
CKO_KW = ["checkout_secret", "checkout-secret", "checkout.secret", "checkoutsecret", "checkout_com",
          "checkout-com", "checkout.com", "checkoutcom", "cko_secret", "cko-secret", "ckosecret"]
R += [
    prefix_rule(
        "checkout-sandbox-secret-key", "checkout",
        "Checkout.com sandbox secret key (sk_sbox_ + base32)",
        regex=r"\b(sk_sbox_[a-z2-7]{26,27})\b", keywords=["sk_sbox_"],
        sample=lambda: "sk_sbox_" + rand(B32L, 27), env_var="CHECKOUT_SECRET_KEY", severity="medium",
        rotate="https://dashboard.checkout.com/developers/keys",
        negatives=pnegs("CHECKOUT_SECRET_KEY", "sk_sbox_", lambda: "sk_sbox_" + rand(B32L, 27),
                        "new Checkout('sk_sbox_XXX', { pk: 'pk_sbox_XXX' })")),
    rule("checkout-secret-key", "checkout",
         "Checkout.com live secret key (sk_ + base32, or legacy sk_/sk_test_ + UUID) next to checkout",
         regex=r"(?i:(?:checkout|cko)(?:[_.\-]?com)?[_.\-]?secret[_.\-]?key)[\w.\-]{0,12}"
               r"""[\\"'`]{0,3}\s{0,3}(?:[:+?|]{0,2}=>?|:{1,2}|,|\(|>)\s{0,3}[\\"'`]{0,3}"""
               r"(sk_(?:test_)?(?:[a-z2-7]{27}|" + UUID_RE + r"))(?:[^0-9A-Za-z_\-]|$)",
         keywords=CKO_KW,
         examples=["CHECKOUT_SECRET_KEY=sk_" + rand(B32L, 27),
                   "checkout_com_secret_key: \"sk_" + uuid4() + "\"",
                   "CKO_SECRET_KEY = 'sk_test_" + uuid4() + "'"],
         negative_examples=["CHECKOUT_SECRET_KEY=${CHECKOUT_SECRET_KEY}",
                            "CHECKOUT_SECRET_KEY=sk_" + rand(B32L, 12),
                            "checkout_secret_key: <your-checkout-secret-key>",
                            "git checkout secret-key-rotation && ./deploy.sh sk_live"],
         severity="critical", confidence="medium", entropy=3.0, env_var="CHECKOUT_SECRET_KEY",
         rotate="https://dashboard.checkout.com/developers/keys"),
]

# ---------------------------------------------------------------- Razorpay / Paystack / Flutterwave
R += [
    prefix_rule(
        "razorpay-test-key-id", "razorpay", "Razorpay test-mode key id (rzp_test_)",
        regex=r"\b(rzp_test_[A-Za-z0-9]{14})\b", keywords=["rzp_test_"],
        sample=lambda: "rzp_test_" + b62(14), env_var="RAZORPAY_KEY_ID", severity="low",
        rotate="https://dashboard.razorpay.com/app/website-app-settings/api-keys",
        negatives=pnegs("RAZORPAY_KEY_ID", "rzp_test_", lambda: "rzp_test_" + b62(14))),
    prefix_rule(
        "paystack-live-secret-key", "paystack", "Paystack live secret key (sk_live_ + 40 hex)",
        regex=r"\b(sk_live_[0-9a-f]{40})\b", keywords=["sk_live_"],
        sample=lambda: "sk_live_" + hexs(40), env_var="PAYSTACK_SECRET_KEY", severity="critical",
        rotate="https://dashboard.paystack.com/#/settings/developers",
        negatives=pnegs("PAYSTACK_SECRET_KEY", "sk_live_", lambda: "sk_live_" + hexs(40),
                        "PAYSTACK_SECRET_KEY=sk_live_" + b62(30))),
    prefix_rule(
        "paystack-test-secret-key", "paystack", "Paystack test secret key (sk_test_ + 40 hex)",
        regex=r"\b(sk_test_[0-9a-f]{40})\b", keywords=["sk_test_"],
        sample=lambda: "sk_test_" + hexs(40), env_var="PAYSTACK_SECRET_KEY", severity="low",
        rotate="https://dashboard.paystack.com/#/settings/developers",
        negatives=pnegs("PAYSTACK_SECRET_KEY", "sk_test_", lambda: "sk_test_" + hexs(40))),
    prefix_rule(
        "flutterwave-encryption-key", "flutterwave", "Flutterwave encryption key (FLWSECK_TEST + 12 hex)",
        regex=r"\b(FLWSECK_TEST-?[0-9a-f]{12})\b", keywords=["flwseck_test"],
        sample=lambda: "FLWSECK_TEST" + hexs(12), env_var="FLUTTERWAVE_ENCRYPTION_KEY",
        severity="medium", rotate="https://app.flutterwave.com/dashboard/settings/apis",
        aliases=["flutterwave-encryption-key"],
        negatives=pnegs("FLUTTERWAVE_ENCRYPTION_KEY", "FLWSECK_TEST", lambda: "FLWSECK_TEST" + hexs(12),
                        "FLUTTERWAVE_SECRET_KEY=FLWSECK_TEST-" + hexs(32) + "-X")),
]

# ---------------------------------------------------------------- Mollie / GoCardless
R += [
    rule("mollie-test-api-key", "mollie", "Mollie test-mode API key (test_ + 30, near mollie)",
         regex=r"\b(test_[A-Za-z0-9]{30})\b", keywords=["mollie"],
         examples=["MOLLIE_API_KEY=test_" + b62(30),
                   "$mollie->setApiKey(\"test_" + b62(30) + "\");",
                   "mollie:\n  api_key: test_" + b62(30)],
         negative_examples=["MOLLIE_API_KEY=test_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
                            "MOLLIE_API_KEY=test_" + b62(12),
                            "mollie: run test_payment_creation_with_default_settings",
                            "STRIPE_KEY=test_" + b62(30)],
         severity="low", confidence="medium", entropy=3.5, env_var="MOLLIE_API_KEY",
         rotate="https://my.mollie.com/dashboard/developers/api-keys"),
    rule("mollie-access-token", "mollie",
         "Mollie organization access token / OAuth access token (access_ + 40, near mollie)",
         regex=r"\b(access_[A-Za-z0-9]{40})\b", keywords=["mollie"],
         examples=["MOLLIE_ACCESS_TOKEN=access_" + b62(40),
                   "mollie_client.set_access_token('access_" + b62(40) + "')"],
         negative_examples=["MOLLIE_ACCESS_TOKEN=access_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
                            "MOLLIE_ACCESS_TOKEN=access_" + b62(16),
                            "mollie: grant access_token_for_organization_when_the_user_agrees",
                            "GITHUB_TOKEN=access_" + b62(40)],
         severity="high", confidence="medium", entropy=3.5, env_var="MOLLIE_ACCESS_TOKEN",
         rotate="https://my.mollie.com/dashboard/developers/organization-access-tokens"),
    rule("gocardless-sandbox-access-token", "gocardless",
         "GoCardless sandbox access token (sandbox_ + 40, near gocardless)",
         regex=r"\b(sandbox_[A-Za-z0-9_\-]{40})(?:[^A-Za-z0-9_\-]|$)", keywords=["gocardless"],
         examples=["GOCARDLESS_ACCESS_TOKEN=sandbox_" + b64url(40),
                   "gocardless:\n  access_token: \"sandbox_" + b64url(40) + "\""],
         negative_examples=["GOCARDLESS_ACCESS_TOKEN=sandbox_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
                            "GOCARDLESS_ACCESS_TOKEN=sandbox_" + b64url(10),
                            "gocardless: use the sandbox_environment_for_every_integration_test_here",
                            "PAYPAL_TOKEN=sandbox_" + b64url(40)],
         severity="low", confidence="medium", entropy=3.5, env_var="GOCARDLESS_ACCESS_TOKEN",
         rotate="https://manage-sandbox.gocardless.com/developers/access-tokens"),
]

# ---------------------------------------------------------------- Plaid
R += [
    prefix_rule(
        "plaid-sandbox-access-token", "plaid", "Plaid sandbox Item access token (access-sandbox-)",
        regex=r"\b(access-sandbox-" + UUID_RE + r")\b", keywords=["access-sandbox-"],
        sample=lambda: "access-sandbox-" + uuid4(), env_var="PLAID_ACCESS_TOKEN", severity="low",
        rotate="https://plaid.com/docs/api/items/#itemremove", aliases=["plaid-api-token"],
        negatives=pnegs("PLAID_ACCESS_TOKEN", "access-sandbox-", lambda: "access-sandbox-" + uuid4())),
    prefix_rule(
        "plaid-processor-token", "plaid",
        "Plaid processor token shared with a partner (processor-production-/-sandbox-)",
        regex=r"\b(processor-(?:production|development|sandbox)-" + UUID_RE + r")\b",
        keywords=["processor-production-", "processor-development-", "processor-sandbox-"],
        sample=lambda: "processor-production-" + uuid4(), env_var="PLAID_PROCESSOR_TOKEN",
        rotate="https://plaid.com/docs/api/processors/",
        negatives=pnegs("PLAID_PROCESSOR_TOKEN", "processor-production-",
                        lambda: "processor-production-" + uuid4())),
]

# ---------------------------------------------------------------- Coinbase
R += [
    rule("coinbase-cdp-api-key", "coinbase",
         "Coinbase Developer Platform / Advanced Trade API key: key name organizations/…/apiKeys/… "
         "with its EC private key",
         regex=r"(?s)organizations/" + UUID_RE + r"/apiKeys/" + UUID_RE +
               r".{0,160}?-----BEGIN EC PRIVATE KEY-----(?:\\n|\s){1,4}(MHcCAQEE[A-Za-z0-9+/]{56})",
         keywords=["/apikeys/"],
         examples=[
             "{\n  \"name\": \"organizations/" + uuid4() + "/apiKeys/" + uuid4() +
             "\",\n  \"privateKey\": \"-----BEGIN EC PRIVATE KEY-----\\nMHcCAQEE" + b64(56) +
             "\\n" + b64(64) + "\\n-----END EC PRIVATE KEY-----\\n\"\n}",
             "COINBASE_API_KEY_NAME=organizations/" + uuid4() + "/apiKeys/" + uuid4() +
             "\nCOINBASE_API_PRIVATE_KEY=\"-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE" + b64(56) +
             "\n" + b64(64) + "\n-----END EC PRIVATE KEY-----\"",
         ],
         negative_examples=[
             "name = \"organizations/{org_id}/apiKeys/{key_id}\"",
             "COINBASE_API_KEY_NAME=organizations/" + uuid4() + "/apiKeys/" + uuid4() +
             "\nCOINBASE_API_PRIVATE_KEY=${COINBASE_API_PRIVATE_KEY}",
             "\"name\": \"organizations/" + uuid4() + "/apiKeys/" + uuid4() +
             "\", \"privateKey\": \"-----BEGIN EC PRIVATE KEY-----\\n...\\n-----END EC PRIVATE KEY-----\"",
         ],
         severity="critical", confidence="high", entropy=4.0, env_var="COINBASE_API_PRIVATE_KEY",
         rotate="https://portal.cdp.coinbase.com/projects/api-keys"),
    ctx_rule("coinbase-commerce-api-key", "coinbase",
             "Coinbase Commerce API key (UUID next to coinbase commerce / X-CC-Api-Key)",
             name=r"coinbase[_.\-]?commerce|x-cc-api-key|cc[_.\-]api[_.\-]key",
             key="COINBASE_COMMERCE_API_KEY", value=UUID(), keywords=["coinbase", "x-cc-api-key", "cc_api_key", "cc-api-key", "cc.api.key"],
             rotate="https://beta.commerce.coinbase.com/settings/security"),
]

# ---------------------------------------------------------------- crypto exchanges (context)
R += [
    ctx_rule("binance-api-key", "binance", "Binance API key (64 alphanumerics next to binance api key)",
             name=r"binance[_.\-]?api[_.\-]?key", key="BINANCE_API_KEY", value=ALNUM(64), entropy=4.0,
             rotate="https://www.binance.com/en/my/settings/api-management"),
    ctx_rule("binance-api-secret", "binance", "Binance API secret key (64 alphanumerics next to binance secret)",
             name=r"binance[\w.\-]{0,20}secret", key="BINANCE_SECRET_KEY", value=ALNUM(64), entropy=4.0,
             severity="critical", rotate="https://www.binance.com/en/my/settings/api-management"),
    ctx_rule("kraken-api-key", "kraken", "Kraken API key (56 base64 chars next to kraken api key)",
             name=r"kraken[_.\-]?api[_.\-]?key", key="KRAKEN_API_KEY", value=B64CHARS(56), entropy=4.0,
             rotate="https://pro.kraken.com/app/settings/api", aliases=["kraken-access-token"]),
    ctx_rule("kraken-private-key", "kraken", "Kraken API private key (base64 of 64 bytes next to kraken private/secret)",
             name=r"kraken[\w.\-]{0,20}(?:private|secret)", key="KRAKEN_PRIVATE_KEY",
             value=Fmt(r"[A-Za-z0-9+/]{86}==", lambda: b64(86) + "=="), entropy=4.5,
             severity="critical", rotate="https://pro.kraken.com/app/settings/api",
             aliases=["kraken-access-token"]),
    ctx_rule("kucoin-api-key", "kucoin", "KuCoin API key (24 hex next to kucoin api key)",
             name=r"kucoin[_.\-]?api[_.\-]?key", key="KUCOIN_API_KEY", entropy=2.8, value=HEX(24),
             rotate="https://www.kucoin.com/account/api", aliases=["kucoin-access-token"]),
    ctx_rule("kucoin-api-secret", "kucoin", "KuCoin API secret (UUID next to kucoin secret)",
             name=r"kucoin[\w.\-]{0,20}secret", key="KUCOIN_API_SECRET", value=UUID(),
             severity="critical", rotate="https://www.kucoin.com/account/api",
             aliases=["kucoin-secret-key"]),
    ctx_rule("bitfinex-api-key", "bitfinex", "Bitfinex API key (43 alphanumerics next to bitfinex api key)",
             name=r"bitfinex[_.\-]?api[_.\-]?key", key="BITFINEX_API_KEY", value=ALNUM(43), entropy=4.0,
             rotate="https://setting.bitfinex.com/api"),
    ctx_rule("bitfinex-api-secret", "bitfinex", "Bitfinex API secret (43 alphanumerics next to bitfinex secret)",
             name=r"bitfinex[\w.\-]{0,20}secret", key="BITFINEX_API_SECRET", value=ALNUM(43), entropy=4.0,
             severity="critical", rotate="https://setting.bitfinex.com/api"),
    ctx_rule("bybit-api-key", "bybit", "Bybit API key (18 alphanumerics next to bybit api key)",
             name=r"bybit[_.\-]?api[_.\-]?key", key="BYBIT_API_KEY", value=ALNUM(18), entropy=3.0,
             rotate="https://www.bybit.com/app/user/api-management"),
    ctx_rule("bybit-api-secret", "bybit", "Bybit API secret (36 alphanumerics next to bybit secret)",
             name=r"bybit[\w.\-]{0,20}secret", key="BYBIT_API_SECRET", value=ALNUM(36), entropy=4.0,
             severity="critical", rotate="https://www.bybit.com/app/user/api-management"),
    ctx_rule("okx-api-secret", "okx", "OKX API secret key (32 upper-case hex next to okx secret)",
             name=r"okx(?:[_.\-][\w.\-]{0,20})?secret", key="OKX_SECRET_KEY", entropy=2.8, value=HEX(32, upper=True),
             keywords=["okxsecret", "okx_", "okx-", "okx."], severity="critical",
             rotate="https://www.okx.com/account/my-api"),
    ctx_rule("gemini-exchange-api-key", "gemini",
             "Gemini (crypto exchange) API key (account-/master- + 20 next to gemini)",
             name=r"gemini[\w.\-]{0,20}(?:api[_.\-]?)?key",
             key="GEMINI_API_KEY",
             value=Fmt(r"(?:account|master)-[A-Za-z0-9]{20}", lambda: "account-" + b62(20)),
             rotate="https://exchange.gemini.com/settings/api"),
    ctx_rule("gemini-exchange-api-secret", "gemini",
             "Gemini (crypto exchange) API secret (27-28 alphanumerics next to gemini secret)",
             name=r"gemini[\w.\-]{0,20}secret", key="GEMINI_API_SECRET", value=ALNUM(28, lo=27),
             entropy=3.8, severity="critical", rotate="https://exchange.gemini.com/settings/api"),
    ctx_rule("bittrex-api-key", "bittrex", "Bittrex API key (32 hex next to bittrex api key)",
             name=r"bittrex[_.\-]?api[_.\-]?key", key="BITTREX_API_KEY", value=HEX(32),
             rotate="https://global.bittrex.com/Manage#sectionApi", aliases=["bittrex-access-key"]),
    ctx_rule("bittrex-api-secret", "bittrex", "Bittrex API secret (32 hex next to bittrex secret)",
             name=r"bittrex[\w.\-]{0,20}secret", key="BITTREX_API_SECRET", value=HEX(32),
             severity="critical", rotate="https://global.bittrex.com/Manage#sectionApi",
             aliases=["bittrex-secret-key"]),
    ctx_rule("alpaca-secret-key", "alpaca", "Alpaca trading API secret key (40 alphanumerics next to alpaca/apca secret)",
             name=r"(?:alpaca[\w.\-]{0,20}|apca[_.\-]?api[_.\-]?)secret", key="APCA_API_SECRET_KEY", value=ALNUM(40),
             keywords=["alpaca", "apca_api", "apca-api", "apca.api", "apcaapi"], entropy=4.0, severity="critical",
             rotate="https://app.alpaca.markets/paper/dashboard/overview"),
]

# ---------------------------------------------------------------- commerce platforms
WOO_KEY_KW = ["consumer_key", "consumer-key", "consumer.key", "consumerkey", "woocommerce"]
WOO_SEC_KW = ["consumer_secret", "consumer-secret", "consumer.secret", "consumersecret", "woocommerce"]
R += [
    prefix_rule(
        "shopify-partner-api-token", "shopify", "Shopify Partner API access token (prtapi_)",
        regex=r"\b(prtapi_[a-f0-9]{32})\b", keywords=["prtapi_"],
        sample=lambda: "prtapi_" + hexs(32), env_var="SHOPIFY_PARTNER_TOKEN",
        rotate="https://partners.shopify.com/current/settings",
        negatives=pnegs("SHOPIFY_PARTNER_TOKEN", "prtapi_", lambda: "prtapi_" + hexs(32))),
    ctx_rule("woocommerce-consumer-key", "woocommerce", "WooCommerce REST API consumer key (ck_ + 40 hex)",
             name=r"consumer[_.\-]?key|woocommerce", key="WOOCOMMERCE_CONSUMER_KEY",
             value=PREFIXED("ck_", HEX(40)), keywords=WOO_KEY_KW, severity="medium",
             rotate="https://woocommerce.com/document/woocommerce-rest-api/"),
    ctx_rule("woocommerce-consumer-secret", "woocommerce", "WooCommerce REST API consumer secret (cs_ + 40 hex)",
             name=r"consumer[_.\-]?secret|woocommerce", key="WOOCOMMERCE_CONSUMER_SECRET",
             value=PREFIXED("cs_", HEX(40)), keywords=WOO_SEC_KW, severity="critical",
             rotate="https://woocommerce.com/document/woocommerce-rest-api/"),
    ctx_rule("bigcommerce-access-token", "bigcommerce",
             "BigCommerce store API account access token (lower-case alphanumerics next to bigcommerce)",
             name=r"bigcommerce[\w.\-]{0,20}(?:token|key|secret)", key="BIGCOMMERCE_ACCESS_TOKEN",
             value=Fmt(r"[a-z0-9]{30,40}", lambda: alnum_lower(31)), entropy=3.5,
             rotate="https://support.bigcommerce.com/s/article/Store-API-Accounts"),
    prefix_rule(
        "klarna-live-api-key", "klarna", "Klarna live API key (klarna_live_api_)",
        regex=r"\b(klarna_live_api_[A-Za-z0-9_\-]{80,400}={0,2})(?:[^A-Za-z0-9_\-=]|$)",
        keywords=["klarna_live_api_"], sample=lambda: "klarna_live_api_" + b64url(128),
        env_var="KLARNA_API_KEY", severity="critical", entropy=4.0,
        rotate="https://portal.klarna.com/settings/api-credentials",
        negatives=pnegs("KLARNA_API_KEY", "klarna_live_api_", lambda: "klarna_live_api_" + b64url(128))),
    prefix_rule(
        "klarna-test-api-key", "klarna", "Klarna playground API key (klarna_test_api_)",
        regex=r"\b(klarna_test_api_[A-Za-z0-9_\-]{80,400}={0,2})(?:[^A-Za-z0-9_\-=]|$)",
        keywords=["klarna_test_api_"], sample=lambda: "klarna_test_api_" + b64url(128),
        env_var="KLARNA_API_KEY", severity="low", entropy=4.0,
        rotate="https://portal.playground.klarna.com/settings/api-credentials",
        negatives=pnegs("KLARNA_API_KEY", "klarna_test_api_", lambda: "klarna_test_api_" + b64url(128),
                        "function it_should_return_klarna_test_api_url()")),
    ctx_rule("wise-api-token", "wise", "Wise (TransferWise) API token (UUID next to wise api / transferwise)",
             name=r"transferwise|wise[_.\-]?(?:api|token)", key="WISE_API_TOKEN", value=UUID(),
             keywords=["transferwise", "wise_api", "wise-api", "wise.api", "wiseapi", "wise_token",
                       "wise-token", "wise.token", "wisetoken"],
             rotate="https://wise.com/settings/api-tokens"),
    ctx_rule("lemonsqueezy-api-key", "lemonsqueezy", "Lemon Squeezy API key (a JWT next to lemon squeezy)",
             name=r"lemon[_.\-]?squeezy", key="LEMONSQUEEZY_API_KEY", value=JWT,
             keywords=["lemonsqueezy", "lemon_squeezy", "lemon-squeezy", "lemon.squeezy"], entropy=4.5,
             rotate="https://app.lemonsqueezy.com/settings/api"),
]

# ---------------------------------------------------------------- billing / subscriptions
# "paddle" alone is PaddlePaddle's module name, so the keywords carry the word after it
PADDLE_KW = [f"paddle{s}{w}" for s in ("_", "-", ".", "") for w in ("client", "token", "vendor", "auth")]
PDL_TAIL = lambda: alnum_lower(26) + "_" + b62(22) + "_" + b62(3)  # noqa: E731
R += [
    prefix_rule(
        "paddle-live-api-key", "paddle", "Paddle Billing live API key (pdl_live_apikey_)",
        regex=r"\b(pdl_live_apikey_[a-z0-9]{26}_[A-Za-z0-9]{22}_[A-Za-z0-9]{3})\b",
        keywords=["pdl_live_apikey_"], sample=lambda: "pdl_live_apikey_" + PDL_TAIL(),
        env_var="PADDLE_API_KEY", severity="critical", entropy=4.0,
        rotate="https://vendors.paddle.com/authentication-v2",
        negatives=pnegs("PADDLE_API_KEY", "pdl_live_apikey_", lambda: "pdl_live_apikey_" + PDL_TAIL(),
                        "if apiKey.startsWith(\"pdl_live_apikey_\") {")),
    prefix_rule(
        "paddle-sandbox-api-key", "paddle", "Paddle Billing sandbox API key (pdl_sdbx_apikey_)",
        regex=r"\b(pdl_sdbx_apikey_[a-z0-9]{26}_[A-Za-z0-9]{22}_[A-Za-z0-9]{3})\b",
        keywords=["pdl_sdbx_apikey_"], sample=lambda: "pdl_sdbx_apikey_" + PDL_TAIL(),
        env_var="PADDLE_API_KEY", severity="low", entropy=4.0,
        rotate="https://sandbox-vendors.paddle.com/authentication-v2",
        negatives=pnegs("PADDLE_API_KEY", "pdl_sdbx_apikey_", lambda: "pdl_sdbx_apikey_" + PDL_TAIL())),
    prefix_rule(
        "paddle-notification-secret", "paddle", "Paddle Billing webhook (notification setting) secret key (pdl_ntfset_)",
        regex=r"\b(pdl_ntfset_[a-z0-9]{26}_[A-Za-z0-9]{20,64})\b", keywords=["pdl_ntfset_"],
        sample=lambda: "pdl_ntfset_" + alnum_lower(26) + "_" + b62(32),
        env_var="PADDLE_WEBHOOK_SECRET", severity="medium", entropy=4.0,
        rotate="https://vendors.paddle.com/notifications-v2",
        negatives=pnegs("PADDLE_WEBHOOK_SECRET", "pdl_ntfset_",
                        lambda: "pdl_ntfset_" + alnum_lower(26) + "_" + b62(32))),
    ctx_rule("paddle-classic-auth-code", "paddle",
             "Paddle Classic vendor auth code (50 hex next to paddle auth code)",
             name=r"paddle[_.\-]?(?:vendor[_.\-]?)?auth[_.\-]?code", key="PADDLE_VENDOR_AUTH_CODE", value=HEX(50),
             keywords=PADDLE_KW,
             severity="critical", rotate="https://vendors.paddle.com/authentication"),
    ctx_rule("chargebee-api-key", "chargebee", "Chargebee API key (live_/test_ + key next to chargebee)",
             name=r"chargebee[\w.\-]{0,20}(?:api[_.\-]?)?key", key="CHARGEBEE_API_KEY",
             value=Fmt(r"(?:live|test)_[A-Za-z0-9]{26,40}", lambda: "live_" + b62(34)), entropy=3.5,
             severity="critical", rotate="https://www.chargebee.com/docs/2.0/api_keys.html"),
    ctx_rule("recurly-api-key", "recurly", "Recurly private API key (32 hex next to recurly key)",
             name=r"recurly[\w.\-]{0,20}key", key="RECURLY_API_KEY", value=HEX(32), severity="critical",
             rotate="https://app.recurly.com/go/developer/api_keys"),
    ctx_rule("authorizenet-transaction-key", "authorizenet",
             "Authorize.net transaction key (16 alphanumerics next to authorize.net transaction key)",
             name=r"(?:authorize[_.\-]?net|authnet)[\w.\-]{0,20}trans(?:action)?[_.\-]?key",
             key="AUTHORIZE_NET_TRANSACTION_KEY", value=ALNUM(16), entropy=3.0, severity="critical",
             keywords=["authorizenet", "authorize_net", "authorize-net", "authorize.net", "authnet"],
             rotate="https://account.authorize.net/UI/themes/anet/User/ApiLogin.aspx"),
    ctx_rule("authorizenet-signature-key", "authorizenet",
             "Authorize.net signature key (128 hex next to authorize.net signature key)",
             name=r"(?:authorize[_.\-]?net|authnet)[\w.\-]{0,20}signature[_.\-]?key",
             key="AUTHORIZE_NET_SIGNATURE_KEY", value=HEX(128, upper=True), entropy=3.5,
             keywords=["authorizenet", "authorize_net", "authorize-net", "authorize.net", "authnet"],
             rotate="https://account.authorize.net/UI/themes/anet/User/ApiLogin.aspx"),
]

# ---------------------------------------------------------------- regional PSPs
R += [
    prefix_rule(
        "xendit-production-secret-key", "xendit", "Xendit production secret API key (xnd_production_)",
        regex=r"\b(xnd_production_[A-Za-z0-9+/=]{50,100})(?:[^A-Za-z0-9+/=]|$)",
        keywords=["xnd_production_"], sample=lambda: "xnd_production_" + b62(60),
        env_var="XENDIT_SECRET_KEY", severity="critical", entropy=4.0,
        rotate="https://dashboard.xendit.co/settings/developers#api-keys",
        negatives=pnegs("XENDIT_SECRET_KEY", "xnd_production_", lambda: "xnd_production_" + b62(60))),
    prefix_rule(
        "xendit-development-secret-key", "xendit", "Xendit development (test) secret API key (xnd_development_)",
        regex=r"\b(xnd_development_[A-Za-z0-9+/=]{50,100})(?:[^A-Za-z0-9+/=]|$)",
        keywords=["xnd_development_"], sample=lambda: "xnd_development_" + b62(60),
        env_var="XENDIT_SECRET_KEY", severity="low", entropy=4.0,
        rotate="https://dashboard.xendit.co/settings/developers#api-keys",
        negatives=pnegs("XENDIT_SECRET_KEY", "xnd_development_", lambda: "xnd_development_" + b62(60),
                        "secretKey: process.env.XENDIT_SECRET_KEY || 'xnd_development_...'")),
    prefix_rule(
        "midtrans-production-server-key", "midtrans", "Midtrans production server key (Mid-server-)",
        regex=r"(?:^|[^A-Za-z0-9_\-])(Mid-server-[A-Za-z0-9_\-]{24})(?:[^A-Za-z0-9_\-]|$)",
        keywords=["mid-server-"], sample=lambda: "Mid-server-" + b64url(24),
        env_var="MIDTRANS_SERVER_KEY", severity="critical", entropy=3.5,
        rotate="https://dashboard.midtrans.com/settings/config_info",
        negatives=pnegs("MIDTRANS_SERVER_KEY", "Mid-server-", lambda: "Mid-server-" + b64url(24),
                        "MIDTRANS_SERVER_KEY=SB-Mid-server-" + b64url(24),
                        "Install the ServiceNow mid-server-guidedsetup package first")),
    prefix_rule(
        "midtrans-sandbox-server-key", "midtrans", "Midtrans sandbox server key (SB-Mid-server-)",
        regex=r"\b(SB-Mid-server-[A-Za-z0-9_\-]{24})(?:[^A-Za-z0-9_\-]|$)",
        keywords=["sb-mid-server-"], sample=lambda: "SB-Mid-server-" + b64url(24),
        env_var="MIDTRANS_SERVER_KEY", severity="low", entropy=3.5,
        rotate="https://dashboard.sandbox.midtrans.com/settings/config_info",
        negatives=pnegs("MIDTRANS_SERVER_KEY", "SB-Mid-server-", lambda: "SB-Mid-server-" + b64url(24))),
    ctx_rule("payu-merchant-salt", "payu", "PayU merchant salt (32 alphanumerics next to payu salt)",
             name=r"payu[_.\-]?(?:merchant[_.\-]?)?salt", key="PAYU_MERCHANT_SALT", value=ALNUM(32), entropy=4.0,
             keywords=[f"payu{s}{w}" for s in ("_", "-", ".", "") for w in ("merchant", "salt")],
             severity="critical", rotate="https://onboarding.payu.in/app/account"),
    prefix_rule(
        "mercadopago-access-token", "mercadopago", "Mercado Pago production access token (APP_USR-)",
        regex=r"\b(APP_USR-[0-9]{16}-[0-9]{6}-[0-9a-f]{32}-[0-9]{6,12})\b", keywords=["app_usr-"],
        sample=lambda: "APP_USR-" + digits(16) + "-" + digits(6) + "-" + hexs(32) + "-" + digits(9),
        env_var="MERCADOPAGO_ACCESS_TOKEN", severity="critical", entropy=3.5,
        rotate="https://www.mercadopago.com/developers/panel/app",
        negatives=pnegs("MERCADOPAGO_ACCESS_TOKEN", "APP_USR-",
                        lambda: "APP_USR-" + digits(16) + "-" + digits(6) + "-" + hexs(32) + "-" + digits(9),
                        "MERCADOPAGO_PUBLIC_KEY=APP_USR-" + uuid4())),
    rule("mercadopago-test-access-token", "mercadopago",
         "Mercado Pago test access token (TEST-…, near mercadopago)",
         regex=r"\b(TEST-[0-9]{16}-[0-9]{6}-[0-9a-f]{32}-[0-9]{6,12})\b",
         keywords=["mercadopago", "mercado_pago", "mercado-pago"],
         examples=["MERCADOPAGO_ACCESS_TOKEN=TEST-" + digits(16) + "-" + digits(6) + "-" + hexs(32) + "-" + digits(9),
                   "mercadopago.configure(access_token: 'TEST-" + digits(16) + "-" + digits(6) + "-" + hexs(32) + "-" + digits(9) + "')"],
         negative_examples=["MERCADOPAGO_ACCESS_TOKEN=TEST-" + digits(16),
                            "MERCADOPAGO_PUBLIC_KEY=TEST-" + uuid4(),
                            "mercadopago: TEST-xxxxxxxxxxxxxxxx-xxxxxx-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx-xxxxxxxxx"],
         severity="low", confidence="high", entropy=3.5, env_var="MERCADOPAGO_ACCESS_TOKEN",
         rotate="https://www.mercadopago.com/developers/panel/app"),
]

# ---------------------------------------------------------------- shipping / travel / fintech data
R += [
    prefix_rule(
        "flexport-api-key", "flexport", "Flexport API key (shltm_)",
        regex=r"\b(shltm_[A-Za-z0-9_\-]{40})(?:[^A-Za-z0-9_\-]|$)", keywords=["shltm_"],
        sample=lambda: "shltm_" + b64url(40), env_var="FLEXPORT_API_TOKEN", entropy=4.0,
        rotate="https://developers.flexport.com/",
        negatives=pnegs("FLEXPORT_API_TOKEN", "shltm_", lambda: "shltm_" + b64url(40))),
    prefix_rule(
        "easypost-production-api-key", "easypost", "EasyPost production API key (EZAK)",
        regex=r"\b(EZAK[A-Za-z0-9]{54})\b", keywords=["ezak"],
        sample=lambda: "EZAK" + b62(54), env_var="EASYPOST_API_KEY", entropy=3.3,
        rotate="https://www.easypost.com/account/api-keys", aliases=["easypost-api-token"],
        negatives=pnegs("EASYPOST_API_KEY", "EZAK", lambda: "EZAK" + b62(54))),
    prefix_rule(
        "easypost-test-api-key", "easypost", "EasyPost test API key (EZTK)",
        regex=r"\b(EZTK[A-Za-z0-9]{54})\b", keywords=["eztk"],
        sample=lambda: "EZTK" + b62(54), env_var="EASYPOST_TEST_API_KEY", entropy=3.3,
        severity="low", rotate="https://www.easypost.com/account/api-keys",
        aliases=["easypost-test-api-token"],
        negatives=pnegs("EASYPOST_TEST_API_KEY", "EZTK", lambda: "EZTK" + b62(54))),
    prefix_rule(
        "shippo-live-api-token", "shippo", "Shippo live API token (shippo_live_)",
        regex=r"\b(shippo_live_[a-f0-9]{40})\b", keywords=["shippo_live_"],
        sample=lambda: "shippo_live_" + hexs(40), env_var="SHIPPO_API_TOKEN",
        rotate="https://apps.goshippo.com/settings/api", aliases=["shippo-api-token"],
        negatives=pnegs("SHIPPO_API_TOKEN", "shippo_live_", lambda: "shippo_live_" + hexs(40))),
    prefix_rule(
        "shippo-test-api-token", "shippo", "Shippo test API token (shippo_test_)",
        regex=r"\b(shippo_test_[a-f0-9]{40})\b", keywords=["shippo_test_"],
        sample=lambda: "shippo_test_" + hexs(40), env_var="SHIPPO_API_TOKEN", severity="low",
        rotate="https://apps.goshippo.com/settings/api", aliases=["shippo-api-token"],
        negatives=pnegs("SHIPPO_API_TOKEN", "shippo_test_", lambda: "shippo_test_" + hexs(40))),
    prefix_rule(
        "duffel-live-access-token", "duffel", "Duffel live access token (duffel_live_)",
        regex=r"\b(duffel_live_[A-Za-z0-9_\-]{43})(?:[^A-Za-z0-9_\-]|$)", keywords=["duffel_live_"],
        sample=lambda: "duffel_live_" + b64url(43), env_var="DUFFEL_ACCESS_TOKEN", entropy=4.0,
        rotate="https://app.duffel.com/tokens", aliases=["duffel-api-token"],
        negatives=pnegs("DUFFEL_ACCESS_TOKEN", "duffel_live_", lambda: "duffel_live_" + b64url(43))),
    prefix_rule(
        "duffel-test-access-token", "duffel", "Duffel test access token (duffel_test_)",
        regex=r"\b(duffel_test_[A-Za-z0-9_\-]{43})(?:[^A-Za-z0-9_\-]|$)", keywords=["duffel_test_"],
        sample=lambda: "duffel_test_" + b64url(43), env_var="DUFFEL_ACCESS_TOKEN", entropy=4.0,
        severity="low", rotate="https://app.duffel.com/tokens", aliases=["duffel-api-token"],
        negatives=pnegs("DUFFEL_ACCESS_TOKEN", "duffel_test_", lambda: "duffel_test_" + b64url(43))),
    ctx_rule("finicity-app-key", "finicity", "Finicity (Mastercard Open Banking) app key (32 hex next to finicity)",
             name=r"finicity[\w.\-]{0,20}(?:app[_.\-]?)?key", key="FINICITY_APP_KEY", value=HEX(32),
             rotate="https://developer.mastercard.com/open-banking-us/documentation/",
             aliases=["finicity-api-token"]),
    ctx_rule("finicity-partner-secret", "finicity",
             "Finicity partner secret (20 alphanumerics next to finicity secret)",
             name=r"finicity[\w.\-]{0,20}secret", key="FINICITY_PARTNER_SECRET", value=ALNUM(20),
             entropy=3.5, severity="critical",
             rotate="https://developer.mastercard.com/open-banking-us/documentation/",
             aliases=["finicity-client-secret"]),
]

# ---------------------------------------------------------------- more PSPs, crypto, commerce, tax
CIRCLE_TAIL = lambda: hexs(32) + ":" + hexs(32)  # noqa: E731
R += [
    ctx_rule("coinbase-cdp-api-key-secret", "coinbase",
             "Coinbase Developer Platform API key secret (Ed25519, base64 of 64 bytes, next to cdp secret)",
             name=r"cdp(?:[_.\-]|api)[\w.\-]{0,20}(?:secret|private[_.\-]?key)", key="CDP_API_KEY_SECRET",
             value=Fmt(r"[A-Za-z0-9+/]{86}==", lambda: b64(86) + "=="), entropy=4.5, severity="critical",
             keywords=["cdp_", "cdp-", "cdp.", "cdpapi"],
             rotate="https://portal.cdp.coinbase.com/projects/api-keys"),
    prefix_rule(
        "circle-live-api-key", "circle", "Circle (USDC) live API key (LIVE_API_KEY:<id>:<secret>)",
        regex=r"\b(LIVE_API_KEY:[0-9a-f]{32}:[0-9a-f]{32})\b", keywords=["live_api_key:"],
        sample=lambda: "LIVE_API_KEY:" + CIRCLE_TAIL(), env_var="CIRCLE_API_KEY", severity="critical",
        rotate="https://console.circle.com/api-keys",
        negatives=pnegs("CIRCLE_API_KEY", "LIVE_API_KEY:", lambda: "LIVE_API_KEY:" + CIRCLE_TAIL(),
                        "CIRCLE_API_KEY=LIVE_API_KEY:xxx:xxx")),
    prefix_rule(
        "circle-sandbox-api-key", "circle", "Circle (USDC) sandbox API key (SAND_API_KEY:/TEST_API_KEY:)",
        regex=r"\b((?:SAND|TEST)_API_KEY:[0-9a-f]{32}:[0-9a-f]{32})\b",
        keywords=["sand_api_key:", "test_api_key:"],
        sample=lambda: "SAND_API_KEY:" + CIRCLE_TAIL(), env_var="CIRCLE_API_KEY", severity="low",
        rotate="https://console.circle.com/api-keys",
        negatives=pnegs("CIRCLE_API_KEY", "SAND_API_KEY:", lambda: "SAND_API_KEY:" + CIRCLE_TAIL(),
                        "Get your API key (format: `SAND_API_KEY:xxx:xxx`)")),
    ctx_rule("dwolla-api-secret", "dwolla", "Dwolla API secret (50 alphanumerics next to dwolla secret)",
             name=r"dwolla[\w.\-]{0,20}secret", key="DWOLLA_APP_SECRET", value=ALNUM(50), entropy=4.0,
             severity="critical", rotate="https://dashboard.dwolla.com/applications"),
    ctx_rule("btcpay-api-key", "btcpay", "BTCPay Server Greenfield API key (40 hex next to btcpay)",
             name=r"btcpay[\w.\-]{0,20}(?:key|token)", key="BTCPAY_API_KEY", value=HEX(40),
             rotate="https://docs.btcpayserver.org/API/Greenfield/v1/"),
    ctx_rule("nowpayments-api-key", "nowpayments", "NOWPayments API key (four 7-character groups next to nowpayments)",
             name=r"now[_.\-]?payments[\w.\-]{0,20}key", key="NOWPAYMENTS_API_KEY",
             value=Fmt(r"[A-Z0-9]{7}-[A-Z0-9]{7}-[A-Z0-9]{7}-[A-Z0-9]{7}",
                       lambda: "-".join(alnum_upper(7) for _ in range(4))),
             keywords=["nowpayments", "now_payments", "now-payments", "now.payments"], entropy=3.0,
             rotate="https://account.nowpayments.io/store-settings"),
    prefix_rule(
        "polar-access-token", "polar", "Polar organization / personal access token (polar_oat_, polar_pat_)",
        regex=r"\b(polar_(?:oat|pat)_[A-Za-z0-9]{43})\b", keywords=["polar_oat_", "polar_pat_"],
        sample=lambda: "polar_oat_" + b62(43), env_var="POLAR_ACCESS_TOKEN", entropy=4.0,
        rotate="https://polar.sh/dashboard",
        negatives=pnegs("POLAR_ACCESS_TOKEN", "polar_oat_", lambda: "polar_oat_" + b62(43),
                        "POLAR_ACCESS_TOKEN=polar_oat_test_fake")),
    ctx_rule("gumroad-access-token", "gumroad", "Gumroad API access token (43 chars next to gumroad)",
             name=r"gumroad[\w.\-]{0,20}(?:token|key|secret)", key="GUMROAD_ACCESS_TOKEN", value=URLSAFE(43),
             entropy=4.0, rotate="https://app.gumroad.com/settings/advanced#application-form"),
    ctx_rule("ecwid-secret-token", "ecwid", "Ecwid (Lightspeed E-Series) secret token (secret_ next to ecwid)",
             name=r"ecwid[\w.\-]{0,20}(?:token|key|secret)", key="ECWID_SECRET_TOKEN",
             value=PREFIXED("secret_", ALNUM(32)), entropy=4.0,
             rotate="https://developers.ecwid.com/api-documentation/access-tokens"),
    ctx_rule("prestashop-webservice-key", "prestashop", "PrestaShop webservice key (32 upper-case alphanumerics next to prestashop)",
             name=r"prestashop[\w.\-]{0,20}(?:key|token)", key="PRESTASHOP_WEBSERVICE_KEY", value=UPPERNUM(32),
             entropy=3.5, rotate="https://devdocs.prestashop-project.org/8/webservice/"),
    ctx_rule("magento-access-token", "magento", "Magento / Adobe Commerce integration access token (32 chars next to magento)",
             name=r"magento[\w.\-]{0,20}(?:token|key|secret)", key="MAGENTO_ACCESS_TOKEN", value=LOWERNUM(32),
             entropy=3.5, rotate="https://experienceleague.adobe.com/en/docs/commerce-admin/systems/integrations"),
    ctx_rule("commercetools-client-secret", "commercetools", "commercetools API client secret (32 chars next to commercetools / CTP client secret)",
             name=r"commercetools[\w.\-]{0,20}secret|ctp[_.\-]?client[_.\-]?secret", key="CTP_CLIENT_SECRET",
             value=URLSAFE(32), keywords=["commercetools", "ctp_client", "ctp-client", "ctp.client", "ctpclient"], entropy=4.0,
             severity="critical", rotate="https://docs.commercetools.com/merchant-center/api-clients"),
    ctx_rule("shipstation-api-secret", "shipstation", "ShipStation API key / secret (32 hex next to shipstation)",
             name=r"shipstation[\w.\-]{0,20}(?:secret|key)", key="SHIPSTATION_API_SECRET", value=HEX(32),
             rotate="https://ss.shipstation.com/#/settings/api"),
    ctx_rule("shipengine-api-key", "shipengine", "ShipEngine API key (TEST_ or production, next to shipengine)",
             name=r"shipengine[\w.\-]{0,20}(?:key|token)", key="SHIPENGINE_API_KEY",
             value=Fmt(r"(?:TEST_)?[A-Za-z0-9+/]{43}", lambda: "TEST_" + b64(43)), entropy=4.0,
             rotate="https://app.shipengine.com/#/portal/apimanagement"),
    prefix_rule(
        "aftership-api-key", "aftership", "AfterShip API key (asat_)",
        regex=r"\b(asat_[0-9a-f]{32})\b", keywords=["asat_"],
        sample=lambda: "asat_" + hexs(32), env_var="AFTERSHIP_API_KEY",
        rotate="https://admin.aftership.com/settings/api-keys",
        negatives=pnegs("AFTERSHIP_API_KEY", "asat_", lambda: "asat_" + hexs(32))),
    ctx_rule("avalara-license-key", "avalara", "Avalara AvaTax license key (16 hex next to avalara/avatax)",
             name=r"(?:avalara|avatax)[\w.\-]{0,20}(?:licen[sc]e|key)", key="AVATAX_LICENSE_KEY",
             value=HEX(16, upper=True), keywords=["avalara", "avatax"], entropy=2.5, severity="critical",
             rotate="https://admin.avalara.com/"),
    ctx_rule("taxjar-api-token", "taxjar", "TaxJar API token (32 hex next to taxjar)",
             name=r"taxjar[\w.\-]{0,20}(?:token|key)", key="TAXJAR_API_KEY", value=HEX(32),
             rotate="https://app.taxjar.com/account#api-access"),
]

ALIASES = {
    "stripe-live-secret-key": ["stripe-access-token"],
    "stripe-live-restricted-key": ["stripe-access-token"],
    "stripe-test-secret-key": ["stripe-access-token"],
    "square-access-token": ["square-access-token"],
    "square-legacy-access-token": ["square-access-token"],
    "shopify-admin-access-token": ["shopify-access-token"],
    "shopify-custom-app-access-token": ["shopify-custom-access-token"],
    "shopify-private-app-password": ["shopify-private-app-access-token"],
    "shopify-shared-secret": ["shopify-shared-secret"],
    "plaid-secret": ["plaid-secret-key"],
    "plaid-access-token": ["plaid-api-token"],
    "coinbase-api-secret": ["coinbase-access-token"],
    "flutterwave-secret-key": ["flutterwave-secret-key"],
    "gocardless-live-access-token": ["gocardless-api-token"],
}

def stripe_secret(prefix):
    """Stripe secret keys are mixed-case base62 (24 characters for old keys, ~100 for new ones). A
    body of exactly 40 lower-case hex is Paystack's documented format (paystack-*-secret-key): a
    random 40-character base62 body is all lower-case hex with probability (16/62)^40, so excluding
    it costs Stripe nothing. Without look-around, "40 characters, not all lower-case hex" is spelled
    as the position of its first other character."""
    forty = "|".join(f"[0-9a-f]{{{k}}}[g-zA-Z][0-9A-Za-z]{{{39 - k}}}" for k in range(40))
    return rf"\b({prefix}(?:[0-9A-Za-z]{{24,39}}|[0-9A-Za-z]{{41,247}}|{forty}))\b"


OVERRIDES = {
    "stripe-live-secret-key": {"regex": stripe_secret("sk_live_"),
                               "negative_examples": ["PAYSTACK_SECRET_KEY=sk_live_" + hexs(40)]},
    "stripe-test-secret-key": {"regex": stripe_secret("sk_test_"),
                               "negative_examples": ["PAYSTACK_SECRET_KEY=sk_test_" + hexs(40)]},
}

CONFIDENCE = {
    # hand-written rules whose value shape is shared by other providers; the provider keyword gates them
    "mollie-live-api-key": "medium",
}

generate("payments", "\n".join([
    "# leakless built-in rules: payments (card processors, PSPs, commerce platforms, crypto exchanges,",
    "# billing, shipping). Spec: scripts/rulegen/payments.py (hand-written rules are kept, read back).",
    "# Format: gitleaks v8 rules plus leakless fields (provider, severity, confidence, aliases, env_var,",
    "# rotate, examples, negative_examples).",
]), R, aliases=ALIASES, confidence=CONFIDENCE, overrides=OVERRIDES)
