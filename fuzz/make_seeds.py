#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into fuzz/corpus/<target>/ (committed; rerun
after changing the input formats). Seeds come from tests/data/vectors.json (frames, signed
REST requests, the webhook vector) and from hand-written sessions in each target's record
format. The scenario loader's seeds are a few small scenarios here, and the bundled scenarios and
the malformed corpus, which scripts/fuzz.sh passes as extra corpus directories."""
import hashlib
import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"
VECTORS = json.loads((ROOT / "tests" / "data" / "vectors.json").read_text())["vectors"]


def write(target, seeds):
    out = CORPUS / target
    # Reproducers of fixed findings (regress-*) are kept; the generated seeds are rewritten.
    out.mkdir(parents=True, exist_ok=True)
    for old in out.iterdir():
        if not old.name.startswith("regress-"):
            old.unlink()
    for seed in seeds:
        data = seed.encode() if isinstance(seed, str) else seed
        (out / hashlib.sha1(data).hexdigest()[:16]).write_bytes(data)


def frame(event, data=None, channel=None, raw_data=False):
    envelope = {"event": event}
    if channel is not None:
        envelope["channel"] = channel
    if data is not None:
        envelope["data"] = data if raw_data else json.dumps(data, separators=(",", ":"))
    return json.dumps(envelope, separators=(",", ":"))


SERVER_FRAMES = [
    frame("pusher:connection_established", {"socket_id": "123.456", "activity_timeout": 120}),
    frame("pusher:error", {"code": 4001, "message": "Application does not exist"}, raw_data=True),
    frame("pusher:error", {"code": 4200, "message": "Generic reconnect immediately"}, raw_data=True),
    frame("pusher:ping", {}, raw_data=True),
    frame("pusher:pong", {}, raw_data=True),
    frame("pusher_internal:subscription_succeeded", {}, channel="private-foo"),
    frame("pusher_internal:subscription_succeeded",
          {"presence": {"ids": ["u1", "u2"], "hash": {"u1": {"name": "Ann"}, "u2": None}, "count": 2}},
          channel="presence-room"),
    frame("pusher_internal:member_added", {"user_id": "u3", "user_info": {"name": "Cy"}}, channel="presence-room"),
    frame("pusher_internal:member_removed", {"user_id": "u2"}, channel="presence-room"),
    frame("pusher:subscription_error", {"type": "AuthError", "error": "bad", "status": 403}, channel="private-foo"),
    frame("pusher:signin_success", {"user_data": json.dumps({"id": "u1"})}),
    frame("pusher:cache_miss", None, channel="cache-c"),
    frame("pusher_internal:subscription_count", {"subscription_count": 3}, channel="my-channel"),
    frame("my-event", {"message": "hello"}, channel="my-channel"),
    frame("client-typing", {"x": 1}, channel="presence-room") [:-1] + ',"user_id":"u1"}',
]

CLIENT_FRAMES = [
    frame("pusher:subscribe", {"channel": "my-channel", "auth": ""}, raw_data=True),
    frame("pusher:subscribe", {"channel": "private-foo", "auth": "key1:00"}, raw_data=True),
    frame("pusher:unsubscribe", {"channel": "my-channel"}, raw_data=True),
    frame("pusher:ping", {}, raw_data=True),
    frame("pusher:pong", {}, raw_data=True),
    frame("pusher:signin", {"auth": "key1:00", "user_data": "{\"id\":\"u1\"}"}, raw_data=True),
    frame("client-typing", {"x": 1}, channel="private-a"),
    frame("client-typing", {"x": 1}, channel="presence-room"),
]


def frame_seeds():
    return SERVER_FRAMES + CLIENT_FRAMES + ['{"event":1}', '[]', '{"event":"e","data":{"a":[1,2.5,null,true]}}']


def rest_seeds():
    seeds = []
    for vector in VECTORS:
        if vector["kind"] != "rest_request":
            continue
        expected = vector["expected"]
        body = expected.get("body") or ""
        target = expected["path"] + "?" + expected["query_string"]
        seeds.append(f"{expected['method']}\n{target}\n{body}")
        # The same request re-signed for app 1 (the fuzz engine's), to reach the endpoints.
        seeds.append(f"!{expected['method']}\n{target}\n{body}")
    seeds += [
        "GET\n/apps/1/channels?filter_by_prefix=presence-&info=user_count\n",
        "!GET\n/apps/1/channels?filter_by_prefix=presence-&info=user_count\n",
        "!GET\n/apps/1/channels/presence-room?info=user_count,subscription_count\n",
        "!GET\n/apps/1/channels/presence-room/users\n",
        "!GET\n/apps/1/channels/cache-c\n",
        '!POST\n/apps/1/events\n{"name":"e","channels":["private-a","presence-room"],"data":"{}","socket_id":"1.2"}',
        '!POST\n/apps/1/events\n{"name":"e","channel":"cache-c","data":"x","info":"subscription_count"}',
        '!POST\n/apps/1/batch_events\n{"batch":[{"channel":"private-a","name":"e","data":"1"},'
        '{"channel":"presence-room","name":"f","data":"2","info":"user_count"}]}',
        "!POST\n/apps/1/users/u1/terminate_connections\n{}",
        "GET\n/apps/1/channels?auth_key=key1&auth_timestamp=1700000000&auth_version=1.0&auth_signature=00\n",
        "GET\n/apps/9/channels?a=%zz\n",
    ]
    return seeds


def webhook_seeds():
    seeds = []
    for vector in VECTORS:
        if vector["kind"] == "webhook":
            body = vector["inputs"]["body"]
            seeds.append(f"!\n{body}")
            seeds.append(f"Content-Type: application/json\nX-Pusher-Key: key1\nX-Pusher-Signature: 00\n\n{body}")
    seeds += [
        '!\n{"time_ms":1700000000000,"events":[{"name":"channel_vacated","channel":"c"}]}',
        "Content-Type: application/json; charset=utf-8\n\n{}",
        "!\nnot json",
    ]
    return seeds


PRESENCE_DATA = '{"user_id":"u1","user_info":{"name":"Ann"}}'
ENGINE_SESSIONS = [
    # Public, private and presence subscriptions, client events, a publish, closes.
    ["0o", "1o", "0t" + frame("pusher:subscribe", {"channel": "my-channel", "auth": ""}, raw_data=True),
     "1sprivate-a", "0spresence-room\t" + PRESENCE_DATA, "1spresence-room\t" + PRESENCE_DATA.replace("u1", "u2"),
     "1t" + frame("client-typing", {"x": 1}, channel="private-a"), "0pmy-channel\tmy-event\t{}", "0c", "+5", "w200",
     "1t" + frame("pusher:unsubscribe", {"channel": "presence-room"}, raw_data=True)],
    # Sign-in, terminate, cache channels, timeouts and webhook failures.
    ["0o", "0i{\"id\":\"u1\"}", "0scache-c", "1o", "1pcache-c\tev\tdata", "1scache-c", "0xu1", "+130", "+40",
     "0w500", "+2", "0w0", "+20"],
    # App 2 needs sign-in within 10 s; app 3 is disabled; bad paths and protocols; over quota.
    ["0o/app/key2?protocol=7", "1o/app/key3?protocol=7", "2o/app/nope?protocol=7", "3o/app/key1?protocol=2",
     "0i{\"id\":\"u9\"}", "1o/app/key2?protocol=7", "+11"],
    ["0o", "1o", "2o", "3o", "0b12", "1tnot json", "2t{\"event\":\"pusher:subscribe\",\"data\":\"x\"}",
     "3t" + frame("pusher:ping", {}, raw_data=True)],
]

CLIENT_SESSIONS = [
    ["o", "t" + SERVER_FRAMES[0], "smy-channel", "t" + frame("pusher_internal:subscription_succeeded", {},
                                                              channel="my-channel"),
     "t" + frame("my-event", {"message": "hello"}, channel="my-channel"), "umy-channel", "+130", "+40"],
    ["o", "t" + SERVER_FRAMES[0], "spresence-room", "t" + SERVER_FRAMES[6], "t" + SERVER_FRAMES[7],
     "t" + SERVER_FRAMES[8], "epresence-room\tclient-typing\t{\"x\":1}", "i", "t" + SERVER_FRAMES[10], "c4200", "o",
     "t" + SERVER_FRAMES[0]],
    ["h", "sprivate-foo", "o", "t" + SERVER_FRAMES[0], "a", "sprivate-encrypted-x", "a!", "spresence-b",
     'a{"auth":"key1:00","channel_data":"{}"}', "t" + SERVER_FRAMES[9], "d"],
    ["o", "t" + SERVER_FRAMES[1], "o", "tgarbage", "o", "t" + SERVER_FRAMES[0], "t" + SERVER_FRAMES[2],
     "rraw text", "p", "+31"],
]


SCENARIO_SEEDS = sorted((ROOT / "scenarios").rglob("*.yaml"), key=lambda p: p.stat().st_size)[:4]


def main():
    write("fuzz_frame", frame_seeds())
    write("fuzz_rest", rest_seeds())
    write("fuzz_webhook", webhook_seeds())
    write("fuzz_engine", ["\n".join(session) for session in ENGINE_SESSIONS])
    write("fuzz_client", ["\n".join(session) for session in CLIENT_SESSIONS])
    write("fuzz_scenario", [path.read_text() for path in SCENARIO_SEEDS])
    for target in sorted(p.name for p in CORPUS.iterdir()):
        print(f"{target}: {len(list((CORPUS / target).iterdir()))} seeds")


if __name__ == "__main__":
    main()
