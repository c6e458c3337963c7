"""Spec of rules/social.toml: social networks, media, marketing, CRM, analytics and support desks.

Regenerate every pack with `python3 scripts/rulegen/regen.py`: it runs this spec and moves each
rule to the pack of its provider's category (`PACK_OF` in regen.py), so some rules written here
live in another pack.

Why this exists: tokens of social and marketing platforms leak from the same places as any other
(dotenv files, notebooks, app configs), but most of them are ambiguous values (hex, base62 of a
plain length) that are a credential only next to the provider's name. This spec writes each one
from the provider's documented format -- a distinctive prefix where the provider has one (Twitter
app-only bearer tokens, Meta EAA tokens, Instagram IGQV/IGAA, Pinterest pina_/pinr_, Foursquare
fsq3, PostHog phc_) and a provider-context rule otherwise.

Run: python3 scripts/rulegen/regen.py
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rulegen import *  # noqa: E402,F401,F403

reseed(0x50C1A1)


JWT = JWT_FMT(90)

rules = []
R = rules.append

# ------------------------------------------------------------------------------- Twitter / X
R(prefix_rule(
    "twitter-bearer-token", "twitter", "Twitter/X app-only OAuth 2.0 bearer token (AAAA…)",
    regex=r"(?:^|[^A-Za-z0-9+/%])(A{20,22}[A-Za-z0-9][A-Za-z0-9%]{60,140})(?:[^A-Za-z0-9%+/=]|$)",
    keywords=["aaaaaaaaaaaaaaaaaaaa"],
    sample=lambda: "A" * 21 + b62(14) + "%2B" + b62(20) + "%3D" + b62(50),
    env_var="TWITTER_BEARER_TOKEN", entropy=3.5,
    rotate="https://developer.x.com/en/portal/dashboard", aliases=["twitter-bearer-token"],
    negatives=["TWITTER_BEARER_TOKEN=AAAAAAAAAAAAAAAAAAAAA<rest of the token>",
               "padding = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'",
               "TWITTER_BEARER_TOKEN=AAAAAAAAAAAAAAAAAAAAA" + b62(20),
               "src: url(data:font/woff2;base64,AAAAAAAAAAAAAAAAAAAAAAA" + b62(70) + "+" + b64(60) + "==)"]))

R(ctx_rule(
    "twitter-api-key", "twitter", "Twitter/X API key (consumer key, 25 characters)",
    name=r"(?:twitter|tweepy)" + S + opt("api", "app", "oauth") + r"(?:consumer" + S + r")?(?:api" + S + r")?key",
    key="TWITTER_API_KEY", value=ALNUM(25), keywords=["twitter", "tweepy"], entropy=3.5,
    rotate="https://developer.x.com/en/portal/dashboard", aliases=["twitter-api-key"]))

R(ctx_rule(
    "twitter-api-secret", "twitter", "Twitter/X API key secret (consumer secret, 50 characters)",
    name=r"(?:twitter|tweepy)" + S + opt("api", "app", "oauth") + r"(?:consumer" + S + r")?(?:api" + S + r")?(?:key" + S + r")?secret",
    key="TWITTER_API_SECRET", value=ALNUM(50), keywords=["twitter", "tweepy"], entropy=4.0,
    rotate="https://developer.x.com/en/portal/dashboard", aliases=["twitter-api-secret"]))

R(ctx_rule(
    "twitter-access-token", "twitter", "Twitter/X OAuth 1.0a user access token (<user id>-<token>)",
    name=r"(?:twitter|tweepy)" + S + opt("oauth", "user") + r"access" + S + r"token",
    key="TWITTER_ACCESS_TOKEN",
    value=Fmt(r"[0-9]{5,20}-[A-Za-z0-9]{25,50}", lambda: digits(19) + "-" + b62(31)),
    keywords=["twitter", "tweepy"], entropy=3.5,
    rotate="https://developer.x.com/en/portal/dashboard", aliases=["twitter-access-token"]))

R(ctx_rule(
    "twitter-access-token-secret", "twitter", "Twitter/X OAuth 1.0a access token secret (45 characters)",
    name=r"(?:twitter|tweepy)" + S + opt("oauth", "user") + r"access" + S + r"(?:token" + S + r")?secret",
    key="TWITTER_ACCESS_TOKEN_SECRET", value=ALNUM(45), keywords=["twitter", "tweepy"],
    entropy=4.0, rotate="https://developer.x.com/en/portal/dashboard",
    aliases=["twitter-access-secret"]))

R(ctx_rule(
    "twitter-oauth2-client-secret", "twitter", "Twitter/X OAuth 2.0 client secret (50 characters)",
    name=r"(?:twitter|\bx)" + S + opt("oauth2", "oauth") + r"client" + S + r"secret",
    key="TWITTER_CLIENT_SECRET", value=URLSAFE(50), keywords=kforms("twitter", "client") + kforms("x", "client", "secret"),
    entropy=4.0, rotate="https://developer.x.com/en/portal/dashboard"))

# ----------------------------------------------------------------------- Meta / Facebook
# The token's own prefix ("EAA" + an upper-case letter) folds to text that is all over hex and
# base64 ("eaab".."eaaf"), so it is searched on the keyword's line only, and the regex will not
# start or end inside a base64 run. The names it is stored under (Facebook / Meta / WhatsApp
# Cloud API / Messenger) are keywords too.
EAA_KW = (["facebook", "whatsapp", "instagram", "messenger", "graph.facebook"]
          + ["eaa" + c for c in "bcdefghijklmnopqrstuvwxyz"]
          + kforms("fb", "access") + kforms("fb", "page") + kforms("fb", "token") + kforms("fb", "user")
          + kforms("fb", "app") + kforms("meta", "access") + kforms("meta", "token") + kforms("meta", "page")
          + kforms("page", "access", "token"))
R(prefix_rule(
    "facebook-access-token", "facebook",
    "Meta (Facebook) Graph API user, page or system-user access token (EAA…)",
    regex=r"(?:^|[^A-Za-z0-9+/_\-])(EAA[B-Z][A-Za-z0-9]{90,400})(?:[^A-Za-z0-9+/=_\-]|$)", keywords=EAA_KW,
    sample=lambda: "EAA" + rand("BGIJM", 1) + b62(180), env_var="FACEBOOK_ACCESS_TOKEN",
    contexts=("dotenv", "yaml", "js", "python"),
    entropy=4.2, rotate="https://developers.facebook.com/tools/debug/accesstoken/",
    aliases=["facebook-access-token", "facebook-page-access-token"],
    negatives=["FACEBOOK_ACCESS_TOKEN=EAAB<token>",
               "FACEBOOK_ACCESS_TOKEN=EAAG" + b62(40),
               "square = 'EAAA" + b62(60) + "'"]))
rules[-1]["window"] = 64
rules[-1]["examples"] += [
    "curl -H \"Authorization: Bearer EAAJ38aIBnYYURLgfB0eKJkwreHBIgJLVHKtP3skqoO6cD6RVAU5KhVrWmZZUvTyKWmjfRcFz4u2eQKnK6SeR6F4GuY0bq8deOfOGncai3aO3PXtNhYF6T5yDiNGbAvBvjbmqkNy8Qs0bfN7bWPK\" https://graph.internal/me",
    "Use the token `EAABz01bzgAg7YoH3fz9nOdXqSHiisJ3BB5642LDgdINOUXzJUGNdd57nB5SRPs9WG1qLrrlIIrEJEkX0GBvc3LRaMsj2KM14ikcZI2eG3H0P54QgZtyDxT5Yn84bL3wwwQwIBy6pfCV7djZK3I8JU6brOqOWfGSh9r1yPx4NvRrTD` for the staging page."]
rules[-1]["negative_examples"] += [
    "blob = 'AAAB+EAABvLc1FdbuItUE7FIpGPOIn4AU9kwlfBaZJq05oi43QhDkcrgd4FC2JdMT9QRNrbbTgAPRbpHlerw0cBVAqQRPXccDUfXfV3IL5qF5orRk0TcB27BRlE0vYHLR7hIkrKF3+AAAA/'"]

R(ctx_rule(
    "facebook-app-secret", "facebook", "Meta (Facebook) app secret (32 hex)",
    name=r"(?:facebook|\bfb|meta)" + S + opt("app", "client", "graph") + r"(?:app" + S + r"|client" + S + r")?secret",
    key="FACEBOOK_APP_SECRET", value=HEX(32),
    keywords=["facebook", "fb_app", "fbapp", "fb_client", "fb-app", "meta_app", "metaapp", "meta_client", "fb_secret"],
    rotate="https://developers.facebook.com/apps/", aliases=["facebook-secret"]))

R(rule(
    "facebook-app-access-token", "facebook",
    "Meta (Facebook) app access token (<app id>|<app secret or token>) near a Facebook reference",
    r"\b([0-9]{15,16}(?:\||%7[Cc])[A-Za-z0-9_\-]{27,43})(?:[^A-Za-z0-9_\-]|$)",
    ["facebook", "graph.facebook", "fb_access", "fbaccess", "fb-access"],
    [f"FACEBOOK_APP_TOKEN={digits(16)}|{b64url(27)}",
     f"requests.get('https://graph.facebook.com/debug_token', params={{'access_token': '{digits(15)}|{hexs(32)}'}})",
     f"# facebook\nfb_access_token: \"{digits(16)}%7C{b64url(27)}\""],
    ["FACEBOOK_APP_TOKEN={app-id}|{app-secret}",
     f"facebook ids: {digits(16)}|{digits(15)}",
     f"FACEBOOK_APP_TOKEN={digits(16)}|{b62(10)}"],
    entropy=3.5, confidence="medium", env_var="FACEBOOK_APP_TOKEN",
    rotate="https://developers.facebook.com/apps/", aliases=["facebook-access-token"]))

R(prefix_rule(
    "instagram-access-token", "instagram", "Instagram Graph / Basic Display access token (IGQV…, IGAA…)",
    regex=r"\b(IG(?:QV|AA)[A-Za-z0-9_\-]{140,400})(?:[^A-Za-z0-9_\-]|$)", keywords=["igqv", "igaa"],
    sample=lambda: "IGQV" + b64url(200), env_var="INSTAGRAM_ACCESS_TOKEN", entropy=4.2,
    rotate="https://developers.facebook.com/docs/instagram-platform",
    negatives=["INSTAGRAM_ACCESS_TOKEN=IGQV<token>", "INSTAGRAM_ACCESS_TOKEN=IGQV" + b62(40),
               "'IGAA' is the prefix of Instagram Login tokens"]))

R(ctx_rule(
    "instagram-app-secret", "instagram", "Instagram app secret (32 hex)",
    name=r"instagram" + S + opt("app", "client", "basic" + S + "display") + r"secret",
    key="INSTAGRAM_APP_SECRET", value=HEX(32), keywords=["instagram"],
    rotate="https://developers.facebook.com/apps/"))

# ---------------------------------------------------------------------------------- LinkedIn
R(ctx_rule(
    "linkedin-client-secret", "linkedin", "LinkedIn app client secret (16 characters or WPL_AP…)",
    name=r"linked" + S + r"in" + S + opt("app", "api", "oauth", "oauth2") + r"(?:client" + S + r"|consumer" + S + r"|api" + S + r")?secret",
    key="LINKEDIN_CLIENT_SECRET",
    value=Fmt(r"(?:WPL_AP[0-9]\.[A-Za-z0-9]{16}\.[A-Za-z0-9+/]{6,12}={0,2}|[A-Za-z0-9]{16})",
              lambda: b62(16)),
    keywords=kforms("linked", "in"), entropy=3.2,
    extra_examples=[f"LINKEDIN_CLIENT_SECRET=WPL_AP1.{b62(16)}.{b62(6)}=="],
    rotate="https://www.linkedin.com/developers/apps", aliases=["linkedin-client-secret"]))

R(ctx_rule(
    "linkedin-access-token", "linkedin", "LinkedIn OAuth 2.0 member access token (AQ…)",
    name=r"linked" + S + r"in" + S + opt("oauth", "oauth2", "member", "api") + r"(?:access" + S + r"|refresh" + S + r")?token",
    key="LINKEDIN_ACCESS_TOKEN", value=Fmt(r"AQ[A-Za-z0-9_\-]{150,600}", lambda: "AQV" + b64url(240)),
    keywords=kforms("linked", "in"), entropy=4.2,
    rotate="https://www.linkedin.com/developers/tools/oauth"))

# --------------------------------------------------------------------------------- Pinterest
R(prefix_rule(
    "pinterest-access-token", "pinterest", "Pinterest API v5 access token (pina_)",
    regex=r"\b(pina_[A-Z0-9]{60,200})\b", keywords=["pina_"],
    sample=lambda: "pina_" + alnum_upper(96), env_var="PINTEREST_ACCESS_TOKEN", entropy=4.0,
    rotate="https://developers.pinterest.com/apps/",
    negatives=["PINTEREST_ACCESS_TOKEN=pina_<token>", "PINTEREST_ACCESS_TOKEN=pina_" + alnum_upper(20),
               "if token.startswith('pina_'):"]))

R(prefix_rule(
    "pinterest-refresh-token", "pinterest", "Pinterest API v5 refresh token (pinr_)",
    regex=r"\b(pinr_[A-Z0-9]{60,200})\b", keywords=["pinr_"],
    sample=lambda: "pinr_" + alnum_upper(96), env_var="PINTEREST_REFRESH_TOKEN", entropy=4.0,
    rotate="https://developers.pinterest.com/apps/",
    negatives=["PINTEREST_REFRESH_TOKEN=pinr_<token>", "PINTEREST_REFRESH_TOKEN=pinr_" + alnum_upper(20),
               "refresh tokens start with 'pinr_'"]))

R(ctx_rule(
    "pinterest-app-secret", "pinterest", "Pinterest app secret key (40 hex)",
    name=r"pinterest" + S + opt("app", "client", "api") + r"(?:secret|secret" + S + r"key)",
    key="PINTEREST_APP_SECRET", value=HEX(40), keywords=["pinterest"],
    rotate="https://developers.pinterest.com/apps/"))

# --------------------------------------------------------------------------- other networks
R(ctx_rule(
    "reddit-client-secret", "reddit", "Reddit app client secret (27–30 characters)",
    name=r"(?:reddit|praw)" + S + opt("app", "api", "oauth") + r"(?:client" + S + r")?secret",
    key="REDDIT_CLIENT_SECRET", value=URLSAFE(30, lo=27), keywords=["reddit", "praw_"],
    entropy=3.8, rotate="https://www.reddit.com/prefs/apps"))

R(rule(
    "tiktok-access-token", "tiktok", "TikTok Login Kit access / refresh token (act. / rft.) near a TikTok reference",
    r"\b((?:act|rft)\.[A-Za-z0-9!*]{40,120})(?:[^A-Za-z0-9!*]|$)", ["tiktok"],
    [f"TIKTOK_ACCESS_TOKEN=act.{b62(70)}",
     f"# tiktok\nrefresh_token: \"rft.{b62(70)}\"",
     f"headers = {{'Authorization': 'Bearer act.{b62(40)}!{b62(12)}'}}  # tiktok open api"],
    ["TIKTOK_ACCESS_TOKEN=act.<access token>", f"tiktok: act.{b62(12)}",
     f"tiktok react.{b62(50)}"],
    entropy=3.8, confidence="medium", env_var="TIKTOK_ACCESS_TOKEN",
    rotate="https://developers.tiktok.com/apps/"))

R(ctx_rule(
    "tiktok-client-secret", "tiktok", "TikTok app client secret (32 characters)",
    name=r"tik" + S + r"tok" + S + opt("app", "api", "business", "ads") + r"(?:client" + S + r"|app" + S + r")?secret",
    key="TIKTOK_CLIENT_SECRET", value=ALNUM(32), keywords=kforms("tik", "tok"), entropy=3.5,
    rotate="https://developers.tiktok.com/apps/"))

R(ctx_rule(
    "spotify-client-secret", "spotify", "Spotify Web API client secret (32 hex)",
    name=r"(?:spotify|spotipy)" + S + opt("app", "api", "web" + S + "api") + r"(?:client" + S + r")?secret",
    key="SPOTIFY_CLIENT_SECRET", value=HEX(32), keywords=["spotify", "spotipy"],
    rotate="https://developer.spotify.com/dashboard"))

R(ctx_rule(
    "twitch-client-secret", "twitch", "Twitch app client secret (30 lowercase alphanumerics)",
    name=r"twitch" + S + opt("app", "api", "helix") + r"(?:client" + S + r")?secret",
    key="TWITCH_CLIENT_SECRET", value=LOWERNUM(30), keywords=["twitch"], entropy=3.5,
    rotate="https://dev.twitch.tv/console/apps", aliases=["twitch-api-token"]))

R(ctx_rule(
    "twitch-access-token", "twitch", "Twitch user / app OAuth access token (30 lowercase alphanumerics)",
    name=r"twitch" + S + opt("app", "user", "bot", "chat", "irc", "oauth") + r"(?:access" + S + r"|oauth" + S + r"|refresh" + S + r"|bot" + S + r")?token",
    key="TWITCH_ACCESS_TOKEN", value=Fmt(r"(?:oauth:)?[a-z0-9]{30}", lambda: alnum_lower(30)),
    keywords=["twitch"], entropy=3.5, extra_examples=[f"TWITCH_BOT_TOKEN=oauth:{alnum_lower(30)}"],
    rotate="https://dev.twitch.tv/console/apps", aliases=["twitch-api-token"]))

R(ctx_rule(
    "discogs-personal-token", "discogs", "Discogs personal access token (40 characters)",
    name=r"discogs" + S + opt("personal", "user", "api") + r"(?:access" + S + r")?token",
    key="DISCOGS_USER_TOKEN", value=ALNUM(40), keywords=["discogs"], entropy=3.8,
    rotate="https://www.discogs.com/settings/developers"))

R(ctx_rule(
    "discogs-consumer-secret", "discogs", "Discogs app consumer secret (32 characters)",
    name=r"discogs" + S + opt("app", "api") + r"consumer" + S + r"secret",
    key="DISCOGS_CONSUMER_SECRET", value=ALNUM(32), keywords=["discogs"], entropy=3.5,
    rotate="https://www.discogs.com/settings/developers"))

R(ctx_rule(
    "flickr-api-secret", "flickr", "Flickr API secret (16 hex)",
    name=r"flickr" + S + opt("api", "app", "oauth") + r"(?:consumer" + S + r")?secret",
    key="FLICKR_API_SECRET", value=HEX(16), keywords=["flickr"], entropy=2.8,
    rotate="https://www.flickr.com/services/apps/by/me", aliases=["flickr-access-token"]))

R(ctx_rule(
    "flickr-api-key", "flickr", "Flickr API key (32 hex)",
    name=r"flickr" + S + opt("api", "app") + r"key",
    key="FLICKR_API_KEY", value=HEX(32), keywords=["flickr"], severity="medium",
    rotate="https://www.flickr.com/services/apps/by/me", aliases=["flickr-access-token"]))

R(ctx_rule(
    "yelp-api-key", "yelp", "Yelp Fusion API key (128 characters)",
    name=r"yelp" + S + opt("fusion", "api") + r"(?:api" + S + r")?(?:key|token|secret)",
    key="YELP_API_KEY", value=URLSAFE(128), keywords=["yelp"], entropy=4.5,
    rotate="https://www.yelp.com/developers/v3/manage_app"))

R(prefix_rule(
    "foursquare-api-key", "foursquare", "Foursquare Places API key (fsq3…)",
    regex=r"\b(fsq3[A-Za-z0-9+/]{40,48}={0,2})(?:[^A-Za-z0-9+/=]|$)", keywords=["fsq3"],
    sample=lambda: "fsq3" + b64(44), env_var="FOURSQUARE_API_KEY", entropy=4.0,
    rotate="https://foursquare.com/developers/projects",
    negatives=["FOURSQUARE_API_KEY=fsq3<your key>", "FOURSQUARE_API_KEY=fsq3" + b62(12),
               "'fsq3' prefixed keys are Places API v3 keys"]))

R(ctx_rule(
    "foursquare-client-secret", "foursquare", "Foursquare legacy client secret (48 uppercase alphanumerics)",
    name=r"four" + S + r"square" + S + opt("app", "api") + r"(?:client" + S + r")?secret",
    key="FOURSQUARE_CLIENT_SECRET", value=UPPERNUM(48), keywords=kforms("four", "square"),
    entropy=3.8, rotate="https://foursquare.com/developers/projects"))

R(ctx_rule(
    "bitly-access-token", "bitly", "Bitly generic access token (40 hex)",
    name=r"bit" + S + r"ly" + S + opt("generic", "api", "oauth") + r"(?:access" + S + r")?(?:token|key)",
    key="BITLY_ACCESS_TOKEN", value=HEX(40), keywords=["bitly", "bit_ly", "bit.ly"],
    rotate="https://app.bitly.com/settings/api/"))

R(ctx_rule(
    "giphy-api-key", "giphy", "GIPHY API key (32 characters)",
    name=r"giphy" + S + opt("api", "sdk") + r"key",
    key="GIPHY_API_KEY", value=ALNUM(32), keywords=["giphy"], entropy=3.5, severity="medium",
    rotate="https://developers.giphy.com/dashboard/"))

R(ctx_rule(
    "unsplash-access-key", "unsplash", "Unsplash API access key / secret key (43 characters)",
    name=r"unsplash" + S + opt("api", "app") + r"(?:access|secret|client)" + S + r"(?:key|id|secret)",
    key="UNSPLASH_ACCESS_KEY", value=URLSAFE(43), keywords=["unsplash"], entropy=4.0,
    rotate="https://unsplash.com/oauth/applications"))

R(ctx_rule(
    "vimeo-access-token", "vimeo", "Vimeo API personal access token (32 hex)",
    name=r"vimeo" + S + opt("api", "personal") + r"(?:access" + S + r")?token",
    key="VIMEO_ACCESS_TOKEN", value=HEX(32), keywords=["vimeo"],
    rotate="https://developer.vimeo.com/apps"))

R(ctx_rule(
    "vimeo-client-secret", "vimeo", "Vimeo API client secret (128 characters)",
    name=r"vimeo" + S + opt("api", "app") + r"client" + S + r"secret",
    key="VIMEO_CLIENT_SECRET", value=Fmt(r"[A-Za-z0-9+/=]{120,130}", lambda: b64(128)),
    keywords=["vimeo"], entropy=4.5, rotate="https://developer.vimeo.com/apps"))

R(ctx_rule(
    "tumblr-consumer-secret", "tumblr", "Tumblr OAuth consumer secret (50 characters)",
    name=r"tumblr" + S + opt("api", "app", "oauth") + r"(?:consumer|client)" + S + r"secret",
    key="TUMBLR_CONSUMER_SECRET", value=ALNUM(50), keywords=["tumblr"], entropy=4.0,
    rotate="https://www.tumblr.com/oauth/apps"))

R(ctx_rule(
    "strava-client-secret", "strava", "Strava API client secret / access token (40 hex)",
    name=r"strava" + S + opt("api", "app") + r"(?:client" + S + r"secret|access" + S + r"token|refresh" + S + r"token)",
    key="STRAVA_CLIENT_SECRET", value=HEX(40), keywords=["strava"],
    rotate="https://www.strava.com/settings/api"))

R(ctx_rule(
    "imgur-client-secret", "imgur", "Imgur API client secret (40 hex)",
    name=r"imgur" + S + opt("api", "app") + r"(?:client" + S + r")?secret",
    key="IMGUR_CLIENT_SECRET", value=HEX(40), keywords=["imgur"],
    rotate="https://imgur.com/account/settings/apps"))

R(ctx_rule(
    "lastfm-api-secret", "lastfm", "Last.fm API shared secret (32 hex)",
    name=r"last" + S + r"fm" + S + opt("api") + r"(?:shared" + S + r")?secret",
    key="LASTFM_API_SECRET", value=HEX(32), keywords=["lastfm", "last_fm", "last.fm", "last-fm"],
    rotate="https://www.last.fm/api/accounts"))

# ---------------------------------------------------------------------------------- analytics
R(ctx_rule(
    "mixpanel-api-secret", "mixpanel", "Mixpanel project API secret (32 hex)",
    name=r"mixpanel" + S + opt("project", "api") + r"(?:api" + S + r")?secret",
    key="MIXPANEL_API_SECRET", value=HEX(32), keywords=["mixpanel"],
    rotate="https://mixpanel.com/settings/project"))

R(ctx_rule(
    "mixpanel-service-account-secret", "mixpanel", "Mixpanel service account secret (32 characters)",
    name=r"mixpanel" + S + r"(?:service" + S + r"account|sa)" + S + r"(?:secret|password)",
    key="MIXPANEL_SERVICE_ACCOUNT_SECRET", value=ALNUM(32), keywords=["mixpanel"], entropy=3.5,
    rotate="https://mixpanel.com/settings/org#serviceaccounts"))

R(prefix_rule(
    "posthog-project-api-key", "posthog", "PostHog project API key (phc_, write-only, meant for clients)",
    regex=r"\b(phc_[A-Za-z0-9]{43})\b", keywords=["phc_"],
    sample=lambda: "phc_" + b62(43), env_var="POSTHOG_PROJECT_API_KEY", severity="info",
    entropy=4.0, rotate="https://app.posthog.com/project/settings",
    negatives=["POSTHOG_PROJECT_API_KEY=phc_<your key>", "POSTHOG_PROJECT_API_KEY=phc_" + b62(20),
               "if key.startswith('phc_'): kind = 'project'"]))

R(ctx_rule(
    "plausible-api-key", "plausible", "Plausible Analytics Stats / Sites API key (64 characters)",
    name=r"plausible" + S + opt("stats", "sites", "api") + r"(?:api" + S + r")?(?:key|token)",
    key="PLAUSIBLE_API_KEY", value=URLSAFE(64), keywords=["plausible"], entropy=4.2,
    rotate="https://plausible.io/settings/api-keys"))

R(ctx_rule(
    "matomo-auth-token", "matomo", "Matomo (Piwik) token_auth (32 hex)",
    name=r"(?:matomo|piwik)" + S + opt("api", "reporting") + r"(?:token" + S + r"auth|auth" + S + r"token|token)",
    key="MATOMO_TOKEN_AUTH", value=HEX(32), keywords=["matomo", "piwik"],
    rotate="https://matomo.org/faq/general/faq_114/"))

R(ctx_rule(
    "heap-api-key", "heap", "Heap server-side API key",
    name=r"heap" + S + opt("analytics", "server") + r"api" + S + r"key",
    key="HEAP_API_KEY", value=Fmt(r"[A-Za-z0-9_\-]{32,64}", lambda: b64url(40)),
    keywords=kforms("heap", "api", "key") + kforms("heap", "analytics"), entropy=3.8,
    rotate="https://heapanalytics.com/app/manage/privacy-security"))

R(ctx_rule(
    "hotjar-client-secret", "hotjar", "Hotjar API client secret (64 hex)",
    name=r"hotjar" + S + opt("api", "oauth") + r"client" + S + r"secret",
    key="HOTJAR_CLIENT_SECRET", value=HEX(64), keywords=["hotjar"],
    rotate="https://insights.hotjar.com/settings/api"))

# Amplitude secret keys are the 32-hex "amplitude-api-key" rule (spec: monitoring.py; pack: social.toml).

# --------------------------------------------------------------------- marketing automation
R(rule(
    "klaviyo-private-api-key", "klaviyo", "Klaviyo private API key (pk_ + 34 alphanumerics)",
    r"(?:^|[^A-Za-z0-9_\-])(pk_[A-Za-z0-9]{34})(?:[^A-Za-z0-9_\-]|$)", ["pk_"],
    [f"KLAVIYO_PRIVATE_API_KEY=pk_{hexs(34)}",
     f"client = KlaviyoAPI('pk_{hexs(34)}', max_delay=60)",
     f"curl -H 'Authorization: Klaviyo-API-Key pk_{hexs(34)}' https://a.klaviyo.com/api/lists/"],
    ["KLAVIYO_PRIVATE_API_KEY=pk_your_private_key",
     f"KLAVIYO_PUBLIC_KEY={b62(6)}  # klaviyo site id",
     f"klaviyo stripe key pk_live_{b62(24)}",
     f"user_pk_{b62(34)}", f"pk_{b62(33)}"],
    entropy=3.2, confidence="high", env_var="KLAVIYO_PRIVATE_API_KEY",
    rotate="https://www.klaviyo.com/settings/account/api-keys"))

R(ctx_rule(
    "hubspot-api-key", "hubspot", "HubSpot legacy API key / developer API key (hapikey, UUID)",
    # `hapikey` starts a word (or follows `_`): camelCase `refreshApiKey` / `authApikey` end in
    # "hApiKey" and are not HubSpot's (41 such false findings on the benches tree, 2026-12-06).
    name=r"(?:hubspot" + S + opt("developer", "dev", "portal", "api") + r"(?:api" + S + r")?key|(?:\b|_)hapikey)",
    key="HUBSPOT_API_KEY", value=UUID(), keywords=["hubspot", "hapikey"], entropy=3.0,
    extra_examples=[f"https://api.hubapi.com/contacts/v1/lists/all/contacts/all?hapikey={uuid4()}"],
    negatives=["  \"refreshApiKey\": \"ce4f2a75-a293-47c0-a309-fc24e2b0dc75\",",
               "W[T].apiAuthApikey(\"f40f9b9c-7bef-4435-8d1d-14a01b8549f8\");"],
    rotate="https://app.hubspot.com/l/api-key/", aliases=["hubspot-api-key"]))

R(ctx_rule(
    "marketo-client-secret", "marketo", "Marketo REST API client secret (32 characters)",
    name=r"marketo" + S + opt("api", "rest") + r"(?:client" + S + r")?secret",
    key="MARKETO_CLIENT_SECRET", value=ALNUM(32), keywords=["marketo"], entropy=3.5,
    rotate="https://experienceleague.adobe.com/docs/marketo-developer/marketo/rest/authentication.html"))

R(ctx_rule(
    "braze-api-key", "braze", "Braze REST API key (UUID)",
    name=r"braze" + S + opt("rest", "api") + r"(?:api" + S + r")?key",
    key="BRAZE_REST_API_KEY", value=UUID(), keywords=["braze"],
    rotate="https://www.braze.com/docs/api/basics/#rest-api-key"))

R(ctx_rule(
    "iterable-api-key", "iterable", "Iterable API key (32 hex)",
    name=r"iterable" + S + r"(?:server" + S + r"side" + S + r"|mobile" + S + r"|js" + S + r")?api" + S + r"key",
    key="ITERABLE_API_KEY", value=HEX(32), keywords=kforms("iterable", "api"),
    rotate="https://app.iterable.com/settings/apiKeys"))

R(ctx_rule(
    "activecampaign-api-key", "activecampaign", "ActiveCampaign API key (72 hex)",
    name=r"active" + S + r"campaign" + S + opt("api") + r"(?:key|token)",
    key="ACTIVECAMPAIGN_API_KEY", value=HEX(72), keywords=kforms("active", "campaign"),
    rotate="https://help.activecampaign.com/hc/en-us/articles/207317590"))

R(ctx_rule(
    "convertkit-api-secret", "convertkit", "ConvertKit (Kit) API secret (43 characters)",
    name=r"(?:convert" + S + r"kit|\bkit)" + S + r"(?:api" + S + r")?secret",
    key="CONVERTKIT_API_SECRET", value=URLSAFE(43), keywords=kforms("convert", "kit") + ["kit_api_secret", "kit_secret"],
    entropy=4.0, rotate="https://app.kit.com/account_settings/developer_settings"))

R(ctx_rule(
    "convertkit-api-key", "convertkit", "ConvertKit (Kit) v3 API key (22 characters)",
    name=r"convert" + S + r"kit" + S + r"(?:api" + S + r")?key",
    key="CONVERTKIT_API_KEY", value=URLSAFE(22), keywords=kforms("convert", "kit"),
    entropy=3.5, severity="medium",
    rotate="https://app.kit.com/account_settings/developer_settings"))

R(ctx_rule(
    "beamer-api-key", "beamer", "Beamer API key (b_ + 44)",
    name=r"beamer" + S + opt("api") + r"(?:key|token)",
    key="BEAMER_API_KEY", value=Fmt(r"b_[A-Za-z0-9=_\-]{44}", lambda: "b_" + b64url(44)),
    keywords=["beamer"], entropy=4.0, rotate="https://app.getbeamer.com/settings#api",
    aliases=["beamer-api-token"]))

R(ctx_rule(
    "sendpulse-client-secret", "sendpulse", "SendPulse REST API secret (32 hex)",
    name=r"send" + S + r"pulse" + S + opt("api", "rest") + r"(?:client" + S + r")?secret",
    key="SENDPULSE_API_SECRET", value=HEX(32), keywords=kforms("send", "pulse"),
    rotate="https://login.sendpulse.com/settings/#api"))

R(ctx_rule(
    "omnisend-api-key", "omnisend", "Omnisend API key (24 hex - 50 characters)",
    name=r"omnisend" + S + opt("api") + r"key",
    key="OMNISEND_API_KEY",
    value=Fmt(r"[0-9a-f]{24}-[A-Za-z0-9]{40,60}", lambda: hexs(24) + "-" + b62(50)),
    keywords=["omnisend"], entropy=3.8, rotate="https://app.omnisend.com/integrations/api-keys"))

# ------------------------------------------------- e-mail marketing, enrichment, feedback, media
R(ctx_rule(
    "mailerlite-api-key", "mailerlite", "MailerLite API token (JWT) or classic API key (32 hex)",
    name=r"mailer" + S + r"lite" + S + opt("api") + r"(?:key|token)",
    key="MAILERLITE_API_KEY",
    value=Fmt(r"(?:" + JWT.regex + r"|[0-9a-f]{32})", lambda: hexs(32)),
    keywords=kforms("mailer", "lite"), entropy=3.0,
    extra_examples=[f"MAILERLITE_API_TOKEN={JWT.sample()}"],
    rotate="https://dashboard.mailerlite.com/integrations/api"))

R(ctx_rule(
    "getresponse-api-key", "getresponse", "GetResponse API key (32 lowercase alphanumerics)",
    name=r"get" + S + r"response" + S + opt("api") + r"key",
    key="GETRESPONSE_API_KEY", value=LOWERNUM(32), keywords=kforms("getresponse", "api") + kforms("getresponse", "key") + kforms("get", "response", "api"),  # not getResponse()
    entropy=3.5, rotate="https://app.getresponse.com/api"))

R(ctx_rule(
    "moosend-api-key", "moosend", "Moosend API key (UUID)",
    name=r"moosend" + S + opt("api") + r"key",
    key="MOOSEND_API_KEY", value=UUID(), keywords=["moosend"],
    rotate="https://identity.moosend.com/"))

R(ctx_rule(
    "hunter-api-key", "hunter", "Hunter.io API key (40 hex)",
    name=r"hunter" + S + r"(?:io" + S + r")?api" + S + r"key",
    key="HUNTER_API_KEY", value=HEX(40), keywords=kforms("hunter", "api") + kforms("hunter", "io"),
    rotate="https://hunter.io/api-keys"))

R(ctx_rule(
    "clearbit-api-key", "clearbit", "Clearbit secret API key (sk_ + 32 hex)",
    name=r"clearbit" + S + opt("api", "secret") + r"key",
    key="CLEARBIT_API_KEY", value=Fmt(r"sk_[0-9a-f]{32}", lambda: "sk_" + hexs(32)),
    keywords=["clearbit"], rotate="https://dashboard.clearbit.com/api"))

R(ctx_rule(
    "chartmogul-api-key", "chartmogul", "ChartMogul API key (32 characters)",
    name=r"chart" + S + r"mogul" + S + opt("api", "account") + r"(?:key|token)",
    key="CHARTMOGUL_API_KEY", value=LOWERNUM(32), keywords=kforms("chart", "mogul"), entropy=3.3,
    rotate="https://app.chartmogul.com/#/admin/api"))

R(ctx_rule(
    "baremetrics-api-key", "baremetrics", "Baremetrics API key (25 characters)",
    name=r"baremetrics" + S + opt("api", "live", "sandbox") + r"(?:key|token)",
    key="BAREMETRICS_API_KEY", value=Fmt(r"[A-Za-z0-9_]{25}", lambda: b62(25)),
    keywords=["baremetrics"], entropy=3.5, rotate="https://app.baremetrics.com/settings/api"))

R(ctx_rule(
    "delighted-api-key", "delighted", "Delighted API key (32 characters)",
    name=r"delighted" + S + opt("api", "secret") + r"key",
    key="DELIGHTED_API_KEY", value=ALNUM(32), keywords=kforms("delighted", "api") + kforms("delighted", "key") + kforms("delighted", "secret"),
    entropy=3.5, rotate="https://app.delighted.com/integrations/api"))

R(ctx_rule(
    "rebrandly-api-key", "rebrandly", "Rebrandly API key (32 hex)",
    name=r"rebrandly" + S + opt("api") + r"key",
    key="REBRANDLY_API_KEY", value=HEX(32), keywords=["rebrandly"],
    rotate="https://app.rebrandly.com/account/api"))

R(ctx_rule(
    "disqus-api-secret", "disqus", "Disqus API secret key (64 characters)",
    name=r"disqus" + S + opt("api", "app") + r"(?:secret" + S + r"key|secret|private" + S + r"key)",
    key="DISQUS_API_SECRET", value=ALNUM(64), keywords=["disqus"], entropy=4.0,
    rotate="https://disqus.com/api/applications/"))

R(ctx_rule(
    "gyazo-access-token", "gyazo", "Gyazo API access token (43 characters)",
    name=r"gyazo" + S + opt("api", "oauth") + r"(?:access" + S + r")?token",
    key="GYAZO_ACCESS_TOKEN", value=URLSAFE(43), keywords=["gyazo"], entropy=4.0,
    rotate="https://gyazo.com/oauth/applications"))

R(ctx_rule(
    "pixabay-api-key", "pixabay", "Pixabay API key (<user id>-<25 hex>)",
    name=r"pixabay" + S + opt("api") + r"key",
    key="PIXABAY_API_KEY", value=Fmt(r"[0-9]{5,10}-[0-9a-f]{25}", lambda: digits(8) + "-" + hexs(25)),
    keywords=["pixabay"], severity="medium", rotate="https://pixabay.com/api/docs/"))

R(ctx_rule(
    "wistia-api-token", "wistia", "Wistia API access token (64 hex)",
    name=r"wistia" + S + opt("api", "access") + r"(?:token|password|key)",
    key="WISTIA_API_TOKEN", value=HEX(64), keywords=["wistia"],
    rotate="https://support.wistia.com/en/articles/8100316"))

R(ctx_rule(
    "insightly-api-key", "insightly", "Insightly CRM API key (UUID)",
    name=r"insightly" + S + opt("api", "crm") + r"key",
    key="INSIGHTLY_API_KEY", value=UUID(), keywords=["insightly"],
    rotate="https://support.insight.ly/en-US/Knowledge/article/1215"))

R(ctx_rule(
    "capsulecrm-api-token", "capsulecrm", "Capsule CRM personal access token (64 characters)",
    name=r"capsule" + S + r"(?:crm" + S + r")?(?:api" + S + r"|personal" + S + r"|access" + S + r")?token",
    key="CAPSULE_API_TOKEN", value=Fmt(r"[A-Za-z0-9_.+=\-]{64}", lambda: b64url(64)),
    keywords=kforms("capsule", "crm") + kforms("capsule", "api") + kforms("capsule", "token"), entropy=4.0,
    rotate="https://developer.capsulecrm.com/v2/overview/authentication"))

R(ctx_rule(
    "streak-api-key", "streak", "Streak CRM API key (32 hex)",
    name=r"streak" + S + r"(?:crm" + S + r")?api" + S + r"key",
    key="STREAK_API_KEY", value=HEX(32), keywords=kforms("streak", "api") + kforms("streak", "crm"),
    rotate="https://streak.readme.io/docs/authentication"))

R(ctx_rule(
    "mixmax-api-token", "mixmax", "Mixmax API token (UUID)",
    name=r"mixmax" + S + opt("api") + r"(?:token|key)",
    key="MIXMAX_API_TOKEN", value=UUID(), keywords=["mixmax"],
    rotate="https://app.mixmax.com/dashboard/settings/personal/integrations"))


# ------------------------------------------------------------------------ support desks / CRM
R(ctx_rule(
    "helpscout-app-secret", "helpscout", "Help Scout OAuth app secret (32 characters)",
    name=r"help" + S + r"scout" + S + opt("app", "api", "oauth") + r"(?:app" + S + r"|client" + S + r")?secret",
    key="HELPSCOUT_APP_SECRET", value=ALNUM(32), keywords=kforms("help", "scout"), entropy=3.5,
    rotate="https://secure.helpscout.net/authentication/authorizeClientApplication"))

R(ctx_rule(
    "gorgias-api-key", "gorgias", "Gorgias REST API key (64 hex)",
    name=r"gorgias" + S + opt("api", "rest") + r"(?:key|token|password)",
    key="GORGIAS_API_KEY", value=HEX(64), keywords=["gorgias"],
    rotate="https://docs.gorgias.com/en-US/rest-api-208286"))

R(ctx_rule(
    "front-api-token", "front", "Front API token (JWT) near a Front key name",
    name=r"(?:front" + S + r"app|front" + S + r"api)" + S + r"(?:api" + S + r")?(?:token|key)",
    key="FRONT_API_TOKEN", value=JWT, keywords=kforms("front", "api") + kforms("front", "app"),
    entropy=4.0, rotate="https://app.frontapp.com/settings/tools/api"))

R(ctx_rule(
    "drift-access-token", "drift", "Drift OAuth / API access token (32 characters)",
    name=r"drift" + S + r"(?:api" + S + r"|oauth" + S + r"|app" + S + r")?(?:access" + S + r")?token",
    key="DRIFT_ACCESS_TOKEN", value=ALNUM(32),
    keywords=kforms("drift", "access") + kforms("drift", "api") + kforms("drift", "token") + kforms("drift", "oauth"),
    entropy=3.5, rotate="https://dev.drift.com/apps"))

R(ctx_rule(
    "freshsales-api-key", "freshworks", "Freshworks CRM / Freshsales API key (22 characters)",
    name=r"fresh" + S + r"(?:sales|works|marketer|service)" + S + opt("crm") + r"(?:api" + S + r")?(?:key|token)",
    key="FRESHSALES_API_KEY", value=URLSAFE(22), keywords=["freshsales", "freshworks", "freshmarketer", "freshservice",
                                                          "fresh_sales", "fresh_works", "fresh_service"],
    entropy=3.5, rotate="https://crmsupport.freshworks.com/support/solutions/articles/50000002503"))

R(ctx_rule(
    "pendo-integration-key", "pendo", "Pendo integration key (UUID with suffix)",
    name=r"pendo" + S + opt("integration", "api") + r"(?:integration" + S + r")?key",
    key="PENDO_INTEGRATION_KEY",
    value=Fmt(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?:\.us|\.eu)?",
              uuid4),
    keywords=kforms("pendo", "integration") + kforms("pendo", "api") + kforms("pendo", "key"),
    rotate="https://app.pendo.io/admin/integrationkeys"))


emit(rules, header="""# leakless built-in rules: social networks, media, marketing automation, CRM, analytics and
# support desks. Format: gitleaks v8 rules plus leakless fields (provider, severity, confidence,
# aliases, env_var, rotate, examples, negative_examples).
# Spec: scripts/rulegen/social.py (generated from the providers' documented token formats).""")
