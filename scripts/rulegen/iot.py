"""Spec of rules/iot.toml: IoT platforms, device clouds and home automation.

Regenerate every pack with `python3 scripts/rulegen/regen.py`: it runs this spec and moves each
rule to the pack of its provider's category (`PACK_OF` in regen.py), so some rules written here
live in another pack.

Run: python3 scripts/rulegen/regen.py

Azure IoT Hub keys are in rules/cloud.toml; Pushover, Pushbullet and IFTTT webhooks in
rules/messaging.toml. Every pattern is written from the provider's documented token format;
example values are random fakes drawn from that format.
"""

import base64
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rulegen import *  # noqa: E402,F403
from rulegen import _R  # noqa: E402,F401

reseed(int(os.environ.get("RULEGEN_SEED", "0")) or 0x107)

URL_END = r"(?:[^A-Za-z0-9_\-]|$)"


def b64url_nopad(s):
    return base64.urlsafe_b64encode(s.encode()).decode().rstrip("=")


def pneg(env, prefix, body_sample, short=8, extra=()):
    return [
        f"{env}=${{{env}}}",
        f"{env}={prefix}<your-key-here>",
        f"{env}={prefix}{body_sample[:short]}",
        f"Keys start with {prefix} followed by random characters.",
    ] + list(extra)


def jwt_hs256(payload):
    return (b64url_nopad('{"alg":"HS256","typ":"JWT"}') + "." + b64url_nopad(payload) + "." + b64url(43))


rules = []
add = rules.append

# --------------------------------------------------------------------------- Adafruit IO, Particle, Blynk, ThingSpeak
add(prefix_rule(
    "adafruit-io-key", "adafruit", "Adafruit IO key (aio_ + 28 alphanumerics)",
    regex=r"\b(aio_[A-Za-z0-9]{28})\b", keywords=["aio_"], sample=lambda: "aio_" + b62(28),
    env_var="ADAFRUIT_IO_KEY", entropy=3.5, severity="high",
    rotate="https://io.adafruit.com/api/docs/#authentication",
    negatives=pneg("ADAFRUIT_IO_KEY", "aio_", b62(28), short=10,
                   extra=["#define IO_KEY \"aio_key_goes_here_from_the_dashboard\"",
                          "import aio_pika_connection_pool_manager_v2"])))
add(ctx_rule(
    "adafruit-io-key-legacy", "adafruit", "Adafruit IO key in the legacy 32-hex format beside an Adafruit / AIO key name",
    name=r"(?:adafruit[\w.\-]{0,20}|\baio[_.\-]?|io[_.\-])key", key="ADAFRUIT_IO_KEY", value=HEXI(32),
    keywords=["adafruit", "aio_key", "aiokey", "aio-key", "aio.key", "io_key", "io-key", "io.key"],
    aliases=["adafruit-api-key"], rotate="https://io.adafruit.com/api/docs/#authentication"))
add(ctx_rule(
    "particle-access-token", "particle", "Particle (particle.io) access token (40 hex) beside a Particle token name",
    name=r"particle[\w.\-]{0,20}(?:access[_.\-]?)?token", key="PARTICLE_ACCESS_TOKEN", value=HEXI(40),
    keywords=["particle"], severity="critical", rotate="https://console.particle.io/authentication"))
add(ctx_rule(
    "particle-oauth-client-secret", "particle", "Particle OAuth client secret (40 hex) beside a Particle client-secret name",
    name=r"particle[\w.\-]{0,20}client[_.\-]?secret", key="PARTICLE_CLIENT_SECRET", value=HEXI(40),
    keywords=["particle"], severity="critical", rotate="https://console.particle.io/authentication"))
add(ctx_rule(
    "blynk-auth-token", "blynk", "Blynk device auth token (32 characters) beside a Blynk auth-token name",
    name=r"blynk[_.\-]?(?:auth[_.\-]?token|auth|token|api[_.\-]?token)", key="BLYNK_AUTH_TOKEN", value=URLSAFE(32),
    entropy=3.5, keywords=["blynk"], rotate="https://blynk.cloud/dashboard"))
add(ctx_rule(
    "thingspeak-write-api-key", "thingspeak", "ThingSpeak channel write API key (16 upper-case alphanumerics) beside a write-key name",
    name=r"(?:thingspeak[\w.\-]{0,20}write[_.\-]?(?:api[_.\-]?)?key|write[_.\-]?api[_.\-]?key)", key="THINGSPEAK_WRITE_API_KEY",
    value=UPPERNUM(16), entropy=2.5,
    keywords=["thingspeak", "write_api_key", "writeapikey", "write-api-key", "write.api.key"],
    rotate="https://thingspeak.mathworks.com/channels"))
add(ctx_rule(
    "thingspeak-read-api-key", "thingspeak", "ThingSpeak channel read API key (16 upper-case alphanumerics) beside a ThingSpeak read-key name",
    name=r"thingspeak[\w.\-]{0,20}read[_.\-]?(?:api[_.\-]?)?key", key="THINGSPEAK_READ_API_KEY",
    value=UPPERNUM(16), entropy=2.5, keywords=["thingspeak"], severity="medium",
    rotate="https://thingspeak.mathworks.com/channels"))
add(ctx_rule(
    "thingspeak-user-api-key", "thingspeak", "ThingSpeak user (account) API key (16 upper-case alphanumerics) beside a ThingSpeak user-key name",
    name=r"thingspeak[\w.\-]{0,20}(?:user|account)[_.\-]?(?:api[_.\-]?)?key", key="THINGSPEAK_USER_API_KEY",
    value=UPPERNUM(16), entropy=2.5, keywords=["thingspeak"], severity="critical",
    rotate="https://thingspeak.mathworks.com/account/profile"))


def ts_url():
    return f"https://api.thingspeak.com/update?api_key={alnum_upper(16)}&field1=23.5"


add(rule(
    "thingspeak-api-key-in-url", "thingspeak", "ThingSpeak API key in an update/read URL (api.thingspeak.com …api_key=)",
    regex=r"api\.thingspeak\.com/[^\s\"'<>?]{0,200}\?(?:[^\s\"'<>]{0,200}&)?api_key=([A-Z0-9]{16})\b",
    keywords=["api.thingspeak.com"],
    examples=[f"curl \"{ts_url()}\"", f"String url = \"{ts_url()}\";", f"GET {ts_url().replace('update', 'channels/12345/feeds.json')}"],
    negative_examples=["https://api.thingspeak.com/update?api_key=XXXXXXXXXXXXXXXX&field1=0",
                       "https://api.thingspeak.com/update?api_key=<WRITE_KEY>&field1=0",
                       "https://api.thingspeak.com/update?api_key=" + alnum_upper(8) + "&field1=0"],
    severity="high", confidence="high", entropy=2.5, env_var="THINGSPEAK_WRITE_API_KEY",
    rotate="https://thingspeak.mathworks.com/channels"))

# --------------------------------------------------------------------------- Home Assistant, SmartThings, Hue, Nest, openHAB, Hubitat
HA_JWT = r"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9\.eyJpc3MiOi[A-Za-z0-9_\-]{60,300}\.[A-Za-z0-9_\-]{43}"


def ha_token():
    return jwt_hs256('{"iss":"' + hexs(32) + '","iat":' + digits(10) + ',"exp":' + digits(10) + '}')


add(ctx_rule(
    "home-assistant-long-lived-token", "home-assistant",
    "Home Assistant long-lived access token (HS256 JWT) beside a Home Assistant / HASS token name",
    name=r"(?:home[_.\-]?assistant|hass(?:io)?)[\w.\-]{0,20}(?:token|api[_.\-]?key|bearer|auth)", key="HASS_TOKEN",
    value=Fmt(HA_JWT, ha_token), entropy=4.0,
    keywords=["home_assistant", "homeassistant", "home-assistant", "home.assistant", "hass_", "hass-",
              "hass.", "hassio", "hasstoken", "hassapi", "hassauth", "hassbearer"],
    severity="critical", rotate="https://my.home-assistant.io/redirect/profile_security/"))


def ha_curl():
    return (f"curl -X GET -H \"Authorization: Bearer {ha_token()}\" -H \"Content-Type: application/json\" "
            f"http://homeassistant.local:8123/api/states")


add(rule(
    "home-assistant-token-in-request", "home-assistant",
    "Home Assistant long-lived access token sent as a Bearer token to a Home Assistant API (:8123/api)",
    regex=r"(?s)Bearer\s{1,3}(" + HA_JWT + r").{0,300}?:8123/api",
    keywords=[":8123/api"], examples=[ha_curl(), ha_curl().replace(" -H \"Content-Type: application/json\"", " \\\n  ")],
    negative_examples=["curl -H \"Authorization: Bearer ${HASS_TOKEN}\" http://homeassistant.local:8123/api/states",
                       "curl -H \"Authorization: Bearer LONG_LIVED_TOKEN\" http://homeassistant.local:8123/api/",
                       "Home Assistant listens on :8123/api by default."],
    severity="critical", confidence="high", entropy=4.0, env_var="HASS_TOKEN",
    rotate="https://my.home-assistant.io/redirect/profile_security/"))
add(ctx_rule(
    "smartthings-personal-access-token", "smartthings", "Samsung SmartThings personal access token (UUID) beside a SmartThings token name",
    name=r"smart[_.\-]?things[\w.\-]{0,20}(?:token|pat|api[_.\-]?key)", key="SMARTTHINGS_TOKEN", value=UUID(),
    keywords=["smartthings", "smart_things", "smart-things", "smart.things"], severity="critical",
    rotate="https://account.smartthings.com/tokens"))
add(ctx_rule(
    "philips-hue-bridge-app-key", "philips-hue",
    "Philips Hue bridge application key / whitelisted username (40 characters) beside a Hue key name",
    name=r"hue[_.\-]?(?:bridge[_.\-]?)?(?:username|user|app[_.\-]?key|application[_.\-]?key|api[_.\-]?key|token)",
    key="HUE_BRIDGE_USERNAME", value=Fmt(r"[A-Za-z0-9\-]{40}", lambda: b62(40)), entropy=3.5,
    keywords=["hue_", "hue-", "hue.", "huebridge", "hueuser", "hueapp", "hueapi", "huetoken"],
    rotate="https://developers.meethue.com/develop/hue-api-v2/getting-started/"))
add(ctx_rule(
    "google-nest-legacy-access-token", "google",
    "Works with Nest legacy access token (c. prefix) beside a Nest token name",
    name=r"nest[_.\-]?(?:api[_.\-]?|access[_.\-]?)?token", key="NEST_ACCESS_TOKEN",
    value=Fmt(r"c\.[A-Za-z0-9]{100,200}", lambda: "c." + b62(146)), entropy=4.0,
    keywords=["nest_", "nest-", "nest.", "nestapi", "nestaccess", "nesttoken"],
    rotate="https://console.nest.google.com/device-access"))
add(ctx_rule(
    "openhab-api-token", "openhab", "openHAB API token (oh.<name>.<secret>) beside an openHAB token name",
    name=r"openhab[\w.\-]{0,20}(?:token|api[_.\-]?key)", key="OPENHAB_TOKEN",
    value=Fmt(r"oh\.[A-Za-z0-9_\-]{1,64}\.[A-Za-z0-9_\-]{40,120}", lambda: "oh.ci." + b62(84)), entropy=4.0,
    keywords=["openhab"], rotate="https://www.openhab.org/docs/configuration/apitokens.html"))


def hubitat_url():
    return (f"https://cloud.hubitat.com/api/{uuid4()}/apps/{digits(3)}/devices/all?access_token={uuid4()}")


add(rule(
    "hubitat-maker-api-token", "hubitat", "Hubitat Maker API access token in a cloud endpoint URL (cloud.hubitat.com …access_token=)",
    regex=r"cloud\.hubitat\.com/api/[0-9a-f\-]{36}/apps/[0-9]{1,6}/[^\s\"'<>]{0,200}?[?&]access_token=([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b",
    keywords=["cloud.hubitat.com"], examples=[f"HUBITAT_URL={hubitat_url()}", f"fetch(\"{hubitat_url()}\")"],
    negative_examples=["https://cloud.hubitat.com/api/<hub-uid>/apps/12/devices?access_token=<token>",
                       f"https://cloud.hubitat.com/api/{uuid4()}/apps/12/devices/all",
                       "The Maker API is served from cloud.hubitat.com."],
    severity="critical", confidence="high", entropy=3.0, env_var="HUBITAT_URL",
    rotate="https://docs2.hubitat.com/en/apps/maker-api"))

# --------------------------------------------------------------------------- Tuya, Losant, Arduino, Balena, Golioth, Hologram, Ubidots
add(ctx_rule(
    "tuya-access-id", "tuya", "Tuya IoT platform access ID / client ID (20 lower-case alphanumerics) beside a Tuya ID name",
    name=r"tuya[\w.\-]{0,20}(?:access[_.\-]?id|client[_.\-]?id|api[_.\-]?key)", key="TUYA_ACCESS_ID",
    value=LOWERNUM(20), entropy=3.0, keywords=["tuya"], severity="medium",
    rotate="https://iot.tuya.com/cloud/"))
add(ctx_rule(
    "tuya-access-secret", "tuya", "Tuya IoT platform access secret / client secret (32 characters) beside a Tuya secret name",
    name=r"tuya[\w.\-]{0,20}(?:access[_.\-]?|client[_.\-]?|api[_.\-]?)?secret", key="TUYA_ACCESS_SECRET",
    value=LOWERNUM(32), entropy=3.5, keywords=["tuya"], severity="critical",
    rotate="https://iot.tuya.com/cloud/"))
add(ctx_rule(
    "losant-api-token", "losant", "Losant API token (HS256 JWT) beside a Losant token name",
    name=r"losant[\w.\-]{0,20}(?:api[_.\-]?)?token", key="LOSANT_API_TOKEN",
    value=Fmt(r"eyJ[A-Za-z0-9_\-]{10,200}\.eyJ[A-Za-z0-9_\-]{20,1000}\.[A-Za-z0-9_\-]{43}",
              lambda: jwt_hs256('{"sub":"' + hexs(24) + '","scope":["all.Application"],"iat":' + digits(10) + ',"iss":"api.losant.com"}')),
    entropy=4.0, keywords=["losant"], severity="critical", rotate="https://app.losant.com/applications"))
add(ctx_rule(
    "losant-access-secret", "losant", "Losant application access key secret (64 hex) beside a Losant secret name",
    name=r"losant[\w.\-]{0,20}(?:access[_.\-]?)?secret", key="LOSANT_ACCESS_SECRET", value=HEX(64),
    keywords=["losant"], severity="critical", rotate="https://app.losant.com/applications"))
add(ctx_rule(
    "arduino-iot-cloud-client-secret", "arduino",
    "Arduino IoT Cloud API client secret beside an Arduino client-secret name",
    name=r"arduino[_.\-]?(?:iot[_.\-]?)?(?:cloud[_.\-]?)?client[_.\-]?secret", key="ARDUINO_IOT_CLIENT_SECRET",
    value=Fmt(r"[A-Za-z0-9]{48,64}", lambda: b62(64)), entropy=4.0, keywords=["arduino"], severity="critical",
    rotate="https://app.arduino.cc/api-keys"))
add(ctx_rule(
    "arduino-iot-device-secret-key", "arduino",
    "Arduino IoT Cloud device secret key in arduino_secrets.h (SECRET_DEVICE_KEY)",
    name=r"secret[_.\-]?device[_.\-]?key", key="SECRET_DEVICE_KEY",
    value=Fmt(r"[A-Za-z0-9!#$%&()*+,./:;<=>?@\[\]^_{|}~\-]{16,40}", lambda: b62(12) + "#" + b62(7)),
    entropy=3.5, keywords=["secret_device_key", "secretdevicekey", "secret-device-key", "secret.device.key"],
    extra_examples=[f"#define SECRET_DEVICE_KEY \"{b62(14)}@{b62(5)}\""],
    rotate="https://app.arduino.cc/devices"))
add(ctx_rule(
    "balena-api-key", "balena", "balena (balenaCloud) API key (32 alphanumerics) beside a balena key name",
    name=r"balena[\w.\-]{0,20}(?:api[_.\-]?key|token)", key="BALENA_API_KEY", value=ALNUM(32), entropy=3.5,
    keywords=["balena"], severity="critical", rotate="https://dashboard.balena-cloud.com/preferences/access-tokens"))
add(ctx_rule(
    "golioth-api-key", "golioth", "Golioth project API key (32 alphanumerics) beside a Golioth key name",
    name=r"golioth[\w.\-]{0,20}(?:api[_.\-]?)?key", key="GOLIOTH_API_KEY", value=ALNUM(32), entropy=3.5,
    keywords=["golioth"], severity="critical", rotate="https://console.golioth.io/"))
add(ctx_rule(
    "golioth-device-psk", "golioth", "Golioth device pre-shared key beside a Golioth PSK name",
    name=r"golioth[\w.\-]{0,20}psk", key="GOLIOTH_PSK",
    value=Fmt(r"[A-Za-z0-9!#$%&*+./:;=?@^_~\-]{24,64}", lambda: b62(40)), entropy=3.5,
    keywords=["golioth"], severity="high", rotate="https://console.golioth.io/"))
add(ctx_rule(
    "hologram-api-key", "hologram", "Hologram (hologram.io) API key (30 alphanumerics) beside a Hologram key name",
    name=r"hologram[\w.\-]{0,20}(?:api[_.\-]?)?key", key="HOLOGRAM_API_KEY", value=ALNUM(30), entropy=3.5,
    keywords=["hologram"], severity="critical", rotate="https://dashboard.hologram.io/account/api"))
for kid, pfx, label in [("ubidots-token", "BBUS-", "account token"),
                        ("ubidots-token-legacy", "BBFF-", "legacy token")]:
    add(prefix_rule(
        kid, "ubidots", f"Ubidots {label} ({pfx} + 30 alphanumerics)",
        regex=rf"\b({re.escape(pfx)}[A-Za-z0-9]{{30}})\b", keywords=[pfx.lower()],
        sample=(lambda p: lambda: p + b62(30))(pfx), env_var="UBIDOTS_TOKEN", entropy=3.5, severity="critical",
        rotate="https://industrial.ubidots.com/accounts/me/apidoc",
        negatives=pneg("UBIDOTS_TOKEN", pfx, b62(30), short=10)))

# --------------------------------------------------------------------------- The Things Network, SwitchBot, Netatmo, ThingsBoard, ecobee, Notehub


def ttn_key():
    return "NNSXS." + rand(B32, 39) + "." + rand(B32, 52)


add(prefix_rule(
    "the-things-network-api-key", "thethingsnetwork", "The Things Stack / The Things Network API key (NNSXS.<39>.<52>)",
    regex=r"\b(NNSXS\.[A-Z2-7]{39}\.[A-Z2-7]{52})\b", keywords=["nnsxs."], sample=ttn_key,
    env_var="TTN_API_KEY", entropy=4.0, severity="critical",
    rotate="https://www.thethingsindustries.com/docs/the-things-stack/concepts/api-keys/",
    negatives=pneg("TTN_API_KEY", "NNSXS.", rand(B32, 39), short=20,
                   extra=["TTN_API_KEY=NNSXS.XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX.XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"])))
add(ctx_rule(
    "switchbot-api-token", "switchbot", "SwitchBot API token (96 hex) or secret (32 hex) beside a SwitchBot name",
    name=r"switch[_.\-]?bot[\w.\-]{0,20}(?:token|secret|key)", key="SWITCHBOT_TOKEN",
    value=Fmt(r"(?:[0-9a-f]{96}|[0-9a-f]{32})", lambda: hexs(96)), keywords=["switchbot", "switch_bot", "switch-bot", "switch.bot"],
    severity="critical", rotate="https://support.switch-bot.com/hc/en-us/articles/12822710195351"))
add(ctx_rule(
    "netatmo-client-secret", "netatmo", "Netatmo app client secret beside a Netatmo client-secret name",
    name=r"netatmo[\w.\-]{0,20}client[_.\-]?secret", key="NETATMO_CLIENT_SECRET",
    value=Fmt(r"[A-Za-z0-9]{30,40}", lambda: b62(34)), entropy=3.5, keywords=["netatmo"], severity="critical",
    rotate="https://dev.netatmo.com/apps/"))
add(ctx_rule(
    "thingsboard-device-access-token", "thingsboard", "ThingsBoard device access token (20 alphanumerics) beside a ThingsBoard token name",
    name=r"thingsboard[\w.\-]{0,20}(?:access[_.\-]?)?token", key="THINGSBOARD_ACCESS_TOKEN", value=ALNUM(20),
    entropy=3.5, keywords=["thingsboard"], rotate="https://thingsboard.io/docs/user-guide/access-token/"))
add(ctx_rule(
    "ecobee-api-key", "ecobee", "ecobee developer API key (32 alphanumerics) beside an ecobee key name",
    name=r"ecobee[\w.\-]{0,20}(?:api[_.\-]?)?key", key="ECOBEE_API_KEY", value=ALNUM(32), entropy=3.5,
    keywords=["ecobee"], rotate="https://www.ecobee.com/consumerportal/index.html#/dev"))
add(ctx_rule(
    "blues-notehub-token", "blues", "Blues Notehub API client secret or session token beside a Notehub name",
    name=r"notehub[\w.\-]{0,20}(?:client[_.\-]?secret|token|api[_.\-]?key)", key="NOTEHUB_CLIENT_SECRET",
    value=Fmt(r"[A-Za-z0-9_\-]{32,64}", lambda: b62(40)), entropy=3.5, keywords=["notehub"], severity="critical",
    rotate="https://notehub.io/"))

# --------------------------------------------------------------------------- more device clouds and smart-home APIs


def blynk_sketch():
    return (f"#define BLYNK_PRINT Serial\n#include <BlynkSimpleEsp8266.h>\n\nchar auth[] = \"{b64url(32)}\";\n"
            "char ssid[] = \"home\";\n")


add(rule(
    "blynk-sketch-auth-token", "blynk", "Blynk auth token in an Arduino sketch (char auth[] after a Blynk include)",
    regex=r"(?s)#include\s{0,3}<Blynk[A-Za-z0-9_]{0,40}\.h>.{0,3000}?\bchar\s{1,3}auth\[\]\s{0,3}=\s{0,3}\"([A-Za-z0-9_\-]{32})\"",
    keywords=["blynk"], examples=[blynk_sketch(), blynk_sketch().replace("Esp8266", "Esp32")],
    negative_examples=["#include <BlynkSimpleEsp8266.h>\nchar auth[] = \"YourAuthToken\";\n",
                       "#include <BlynkSimpleEsp8266.h>\nchar auth[] = BLYNK_AUTH_TOKEN;\n",
                       "#include <WiFi.h>\nchar auth[] = \"" + b64url(20) + "\";\n"],
    severity="high", confidence="high", entropy=3.5, window=4096, env_var="BLYNK_AUTH_TOKEN",
    rotate="https://blynk.cloud/dashboard"))
add(ctx_rule(
    "sinric-pro-app-secret", "sinric", "Sinric Pro app secret (two UUIDs joined by -) beside a Sinric app-secret name",
    name=r"(?:sinric[\w.\-]{0,20}|\bapp[_.\-]?)secret", key="SINRIC_APP_SECRET",
    value=Fmt(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
              lambda: uuid4() + "-" + uuid4()),
    keywords=["sinric", "app_secret", "appsecret", "app-secret", "app.secret"], severity="critical",
    rotate="https://portal.sinric.pro/credentials"))
add(ctx_rule(
    "lifx-api-token", "lifx", "LIFX HTTP API token (64 hex) beside a LIFX token name",
    name=r"lifx[\w.\-]{0,20}(?:token|api[_.\-]?key|key)", key="LIFX_TOKEN", value=HEXI(64),
    keywords=["lifx"], rotate="https://cloud.lifx.com/settings"))
add(ctx_rule(
    "nanoleaf-auth-token", "nanoleaf", "Nanoleaf device API auth token (32 alphanumerics) beside a Nanoleaf token name",
    name=r"nanoleaf[\w.\-]{0,20}(?:auth[_.\-]?)?token", key="NANOLEAF_AUTH_TOKEN", value=ALNUM(32), entropy=3.5,
    keywords=["nanoleaf"], rotate="https://forum.nanoleaf.me/docs/openapi"))
add(ctx_rule(
    "govee-api-key", "govee", "Govee developer API key (UUID) beside a Govee key name",
    name=r"govee[\w.\-]{0,20}(?:api[_.\-]?)?key", key="GOVEE_API_KEY", value=UUID(), keywords=["govee"],
    rotate="https://developer.govee.com/"))


def soracom():
    return (f"soracom configure --auth-key-id keyId-{b62(32)} --auth-key secret-{b62(64)}")


add(rule(
    "soracom-auth-key-secret", "soracom", "SORACOM SAM user auth key secret (secret- + 64) next to its keyId-",
    regex=r"(?s)keyId-[A-Za-z0-9]{32}.{0,200}?\b(secret-[A-Za-z0-9]{64})\b",
    keywords=["keyid-"], examples=[soracom(), f"{{\"authKeyId\": \"keyId-{b62(32)}\", \"authKey\": \"secret-{b62(64)}\"}}"],
    negative_examples=["soracom configure --auth-key-id keyId-xxxxxxxx --auth-key secret-xxxxxxxx",
                       f"soracom configure --auth-key-id keyId-{b62(32)} --auth-key $SORACOM_AUTH_KEY",
                       f"--auth-key secret-{b62(64)}"],
    severity="critical", confidence="high", entropy=4.0, env_var="SORACOM_AUTH_KEY",
    rotate="https://users.soracom.io/en-us/docs/sam/"))
add(ctx_rule(
    "thingworx-app-key", "thingworx", "PTC ThingWorx application key (UUID) beside a ThingWorx appKey name",
    name=r"thingworx[\w.\-]{0,20}app[_.\-]?key|twx[_.\-]?app[_.\-]?key", key="THINGWORX_APP_KEY", value=UUID(),
    keywords=["thingworx", "twx_app", "twxapp", "twx-app", "twx.app"], severity="critical",
    rotate="https://support.ptc.com/help/thingworx/platform/r9/en/#page/ThingWorx/Help/Composer/Security/ApplicationKeys/ApplicationKeys.html"))

header = ("# leakless built-in rules: IoT platforms, device clouds and home automation.\n"
          "# Format: gitleaks v8 rules plus leakless fields (provider, severity, confidence, env_var, rotate, examples).\n"
          "# Azure IoT Hub keys are in rules/cloud.toml; Pushover, Pushbullet and IFTTT in rules/messaging.toml.")
if __name__ == "__main__":
    emit(rules, header=header)
    print(f"# {len(rules)} rules", file=sys.stderr)
