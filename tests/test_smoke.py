from tests.stub_server import page


def test_contacts_pages(stub, client):
    stub.add_json(
        "GET", "contacts", page([{"uuid": "c1", "name": "Ann"}], next=stub.endpoint_url("contacts") + "?cursor=abc")
    )
    contacts = client.get_contacts(group="Reporters").first()
    assert contacts.uuid == "c1"
    assert stub.last.param("group") == "Reporters"
    assert stub.last.headers["Authorization"] == "Token " + stub.token
