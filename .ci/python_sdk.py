"""The official Mailgun Python SDK's domains, users and webhooks calls, as its examples make them,
against `mailgun-mock` (the debug build in .build/debug). Every answer is checked for its status
and shape; the SDK is installed from PyPI by .ci/run.
"""
import os
import subprocess
import sys

from mailgun.client import Client

BIN = os.path.join(os.getcwd(), ".build", "debug")
KEY = "key-ci-sdk"
WEB_KEY = "web-ci-sdk"


def check(response, status=200, what=""):
    if response.status_code != status:
        raise SystemExit(f"{what}: expected {status}, got {response.status_code}: {response.text}")
    return response.json() if response.text else None


mock = subprocess.Popen([f"{BIN}/mailgun-mock", "--api-key", KEY, "--web-key", WEB_KEY, "--domain", "acme.test"],
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
try:
    base = mock.stdout.readline().decode().strip()
    if not base:
        raise SystemExit(f"mailgun-mock did not start: {mock.stderr.read().decode()}")
    with Client(auth=("api", KEY), api_url=base) as client:
        # Domains
        listed = check(client.domainlist.get(), what="domainlist.get")
        assert [item["name"] for item in listed["items"]] == ["acme.test"], listed
        created = check(client.domains.create(data={"name": "sdk.acme.test"}), what="domains.create")
        assert created["domain"]["state"] == "unverified", created
        assert len(created["sending_dns_records"]) == 3 and all("name" not in r for r in created["receiving_dns_records"]), created
        fetched = check(client.domains.get(domain="sdk.acme.test"), what="domains.get")
        assert fetched["domain"]["name"] == "sdk.acme.test", fetched
        updated = check(client.domains.put(data={"name": "sdk.acme.test", "spam_action": "block"}, domain="sdk.acme.test"), what="domains.put")
        assert updated["domain"]["spam_action"] == "block", updated
        verified = check(client.domains.put(domain="sdk.acme.test", verify=True), what="domains.put(verify=True)")
        assert verified["domain"]["state"] == "unverified", verified
        check(client.domains.delete(domain="sdk.acme.test"), what="domains.delete")
        check(client.domains.get(domain="sdk.acme.test"), status=404, what="domains.get after delete")

        # Users
        users = check(client.users.get(filters={"role": "admin", "limit": "0", "skip": "0"}), what="users.get(filters)")["users"]
        assert [user["name"] for user in users] == ["Olivia Owner", "Ada Admin"], users
        one = check(client.users.get(user_id=users[1]["id"]), what="users.get(user_id)")
        assert one["role"] == "admin", one
        check(client.users.get(user_id="me"), status=403, what="users.get(me) with a private key")

        # Domain webhooks (the SDK routes these to v3)
        check(client.domains_webhooks.create(domain="acme.test", data={"id": "clicked", "url": ["https://hooks.acme.test/a"]}), what="webhooks.create")
        one = check(client.domains_webhooks.get(domain="acme.test", webhook_name="clicked"), what="webhooks.get(name)")
        assert one["webhook"]["urls"] == ["https://hooks.acme.test/a"], one
        data = [("url", "https://hooks.acme.test/a"), ("url", "https://hooks.acme.test/b")]
        check(client.domains_webhooks.put(domain="acme.test", webhook_name="clicked", data=data), what="webhooks.put")
        every = check(client.domains_webhooks.get(domain="acme.test"), what="webhooks.get")
        assert every["webhooks"] == {"clicked": {"urls": ["https://hooks.acme.test/a", "https://hooks.acme.test/b"]}}, every
        check(client.domains_webhooks.delete(domain="acme.test", webhook_name="clicked"), what="webhooks.delete")

        # Account webhooks
        made = check(client.account_webhooks.create(data={"url": "https://hooks.acme.test/all", "event_types": ["complained"], "description": "sdk"}),
                     what="account_webhooks.create")
        webhook_id = made["webhook_id"]
        listed = check(client.account_webhooks.get(), what="account_webhooks.get")
        assert [w["webhook_id"] for w in listed["webhooks"]] == [webhook_id], listed
        check(client.account_webhooks.delete(webhook_id=webhook_id), status=204, what="account_webhooks.delete")

    with Client(auth=("api", WEB_KEY), api_url=base) as client:
        me = check(client.users.get(user_id="me"), what="users.get(me) with a web key")
        assert me["is_master"] is True, me
    print("python sdk: the official SDK's domains, users and webhooks calls pass against mailgun-mock")
finally:
    mock.terminate()
    mock.wait(timeout=10)
