"""Which documents may be answered from the session statement's rows alone (issue 7)."""

import pytest
from graphql import parse

from gateway.settings import Settings
from schema import build_schema
from server.answers import reads_only_session_rows

SCHEMA = build_schema(Settings())._schema

FILES = "insuranceFiles { id status info { memberName coverages { benefit tier } } }"


@pytest.mark.parametrize(
    "document",
    [
        f"{{ viewer {{ userCode {FILES} }} }}",
        "query V { viewer { __typename session { status expiresAt selectedFile { id } } } }",
        "{ viewer { ...P } } fragment P on Viewer { profile { firstName preferredLanguage } }",
        "query V($s: Boolean!) { viewer { userCode @include(if: $s) } }",
    ],
)
def test_own_data_documents_qualify(document):
    assert reads_only_session_rows(SCHEMA, parse(document))


@pytest.mark.parametrize(
    "document",
    [
        "{ viewer { sessions { id } } }",
        "{ viewer { ...S } } fragment S on Viewer { sessions { id } }",
        "{ usageAgreement { version } viewer { userCode } }",
        "{ registrationRules { userCodeMinLength } }",
        "mutation { signOut { errors { code } } }",
        "{ viewer { userCode } } mutation M { signOut { errors { code } } }",
        "{ viewer { noSuchField } }",
        "{ __schema { types { name } } }",
    ],
)
def test_anything_reaching_further_does_not(document):
    assert not reads_only_session_rows(SCHEMA, parse(document))
