"""A guard for issue 8: every route that takes a request body has a test that sends it
through the slow fragmenting link, so a new endpoint cannot skip the check."""

import importlib

from evidence.wire import (
    ACT,
    ACT_EXEMPTIONS,
    ACTS,
    ACTS_IMPORT,
    AUTH_CHALLENGE,
    AUTH_TOKEN,
    CASES,
    CASES_IMPORT,
    CATALOGUE,
    DERIVATION_FAILED,
    EXEMPTION_WITHDRAW,
    EXPORTS,
    FILES,
    FINALIZE,
    FLAG_RESOLVE,
    HOLD_LIFT,
    HOLDS,
    LOG_CHECKPOINT,
    MANIFESTS,
    OFFICERS_IMPORT,
    PACKAGES,
    RECORDING_GRANTS,
    RECORDING_MATCH,
    RECORDING_TRANSCRIPT,
    RECORDING_VERIFY,
    SIGN_IN,
    SIGN_IN_PASSWORD,
    SUGGESTION_CONFIRM,
    SUGGESTION_REJECT,
    USER_ACCESS,
    USER_DISABLE,
    USER_ENABLE,
    USER_PASSWORD,
    USER_TOKEN,
    USERS,
)
from ingest.http.app import build_app

INGEST = "tests.ingest.test_slow_link"
COMPLIANCE = "tests.compliance.test_slow_link"
AGENT = "tests.agent.test_slow_link_agent"
PEOPLE = "tests.people.test_slow_link_people"
TRANSFER = "tests.transfer.test_import"
CONSOLE = "tests.console.test_console_slow_link"

SLOW_LINK_TESTS = {
    ("POST", AUTH_CHALLENGE): f"{INGEST}:test_sign_in_through_a_slow_link",
    ("POST", AUTH_TOKEN): f"{INGEST}:test_sign_in_through_a_slow_link",
    ("POST", MANIFESTS): f"{INGEST}:test_a_manifest_through_a_slow_link_is_registered_whole",
    ("POST", FILES): f"{INGEST}:test_a_tus_creation_body_through_a_slow_link_is_kept_whole",
    (
        "PATCH",
        FILES + "{upload_id}",
    ): f"{INGEST}:test_a_tus_patch_through_a_slow_link_is_kept_whole",
    ("POST", RECORDING_TRANSCRIPT): (
        f"{INGEST}:test_a_large_transcript_through_a_slow_link_is_stored_whole"
    ),
    ("POST", HOLDS): (
        "tests.retention.test_hold_routes:test_a_hold_and_its_lift_through_a_slow_link_keep_the_whole_reason"
    ),
    ("POST", HOLD_LIFT): (
        "tests.retention.test_hold_routes:test_a_hold_and_its_lift_through_a_slow_link_keep_the_whole_reason"
    ),
    ("POST", FLAG_RESOLVE): (
        f"{INGEST}:test_a_flag_resolution_through_a_slow_link_keeps_the_whole_reason"
    ),
    ("POST", RECORDING_MATCH): (
        f"{AGENT}:test_the_agent_uploads_a_video_and_its_review_copy_through_a_slow_link"
    ),
    ("PUT", CATALOGUE): f"{COMPLIANCE}:test_a_catalogue_through_a_slow_link_is_replaced_whole",
    (
        "POST",
        CASES,
    ): f"{COMPLIANCE}:test_a_case_and_a_cases_import_through_a_slow_link_arrive_whole",
    ("POST", CASES_IMPORT): (
        f"{COMPLIANCE}:test_a_case_and_a_cases_import_through_a_slow_link_arrive_whole"
    ),
    ("POST", ACTS): f"{COMPLIANCE}:test_an_act_and_its_edit_through_a_slow_link_arrive_whole",
    ("PATCH", ACT): f"{COMPLIANCE}:test_an_act_and_its_edit_through_a_slow_link_arrive_whole",
    ("POST", ACTS_IMPORT): (
        f"{COMPLIANCE}:test_a_thousand_row_acts_import_through_a_slow_link_imports_every_row"
    ),
    ("POST", ACT_EXEMPTIONS): (
        f"{COMPLIANCE}:test_an_exemption_and_its_withdrawal_through_a_slow_link_arrive_whole"
    ),
    ("POST", EXEMPTION_WITHDRAW): (
        f"{COMPLIANCE}:test_an_exemption_and_its_withdrawal_through_a_slow_link_arrive_whole"
    ),
    ("POST", SUGGESTION_CONFIRM): (
        f"{COMPLIANCE}:test_suggestion_decisions_through_a_slow_link_arrive_whole"
    ),
    ("POST", OFFICERS_IMPORT): (
        f"{COMPLIANCE}:test_a_roster_workbook_and_a_table_with_its_mapping_through_a_slow_link"
    ),
    ("POST", SUGGESTION_REJECT): (
        f"{COMPLIANCE}:test_suggestion_decisions_through_a_slow_link_arrive_whole"
    ),
    (
        "POST",
        SIGN_IN,
    ): f"{PEOPLE}:test_sign_in_and_a_password_change_through_a_slow_link_arrive_whole",
    ("PUT", SIGN_IN_PASSWORD): (
        f"{PEOPLE}:test_sign_in_and_a_password_change_through_a_slow_link_arrive_whole"
    ),
    ("POST", USERS): f"{PEOPLE}:test_people_and_their_access_through_a_slow_link_arrive_whole",
    ("POST", USER_PASSWORD): (
        f"{PEOPLE}:test_people_and_their_access_through_a_slow_link_arrive_whole"
    ),
    ("PUT", USER_ACCESS): f"{PEOPLE}:test_people_and_their_access_through_a_slow_link_arrive_whole",
    ("POST", EXPORTS): f"{TRANSFER}:test_an_export_request_through_a_slow_link_arrives_whole",
    ("POST", PACKAGES): f"{TRANSFER}:test_a_package_through_a_slow_link_is_imported_whole",
    ("POST", DERIVATION_FAILED): (
        "tests.ingest.test_unmade_copies:test_a_report_through_a_slow_link_keeps_the_whole_reason"
    ),
    ("POST", RECORDING_GRANTS): (
        "tests.custody.test_retrieval:test_a_stream_grant_through_a_slow_link_keeps_the_whole_purpose"
    ),
    # The console's forms (docs/console.md).
    (
        "POST",
        "/console/sign-in",
    ): f"{CONSOLE}:test_console_sign_in_and_sign_out_through_a_slow_link",
    (
        "POST",
        "/console/sign-out",
    ): f"{CONSOLE}:test_console_sign_in_and_sign_out_through_a_slow_link",
    ("POST", "/console/recordings/{evidence_id}/{role}/watch"): (
        f"{CONSOLE}:test_console_footage_forms_through_a_slow_link_keep_the_whole_purpose"
    ),
    ("POST", "/console/recordings/{evidence_id}/{role}/download"): (
        f"{CONSOLE}:test_console_footage_forms_through_a_slow_link_keep_the_whole_purpose"
    ),
    ("POST", "/console/cases/{case_number}/export"): (
        f"{CONSOLE}:test_console_footage_forms_through_a_slow_link_keep_the_whole_purpose"
    ),
    ("POST", "/console/flags/{flag_id}/resolve"): (
        f"{CONSOLE}:test_a_flag_resolved_from_the_console_through_a_slow_link_keeps_its_reason"
    ),
}

# POSTs that take no body: the request names everything in its path.
NO_BODY = {
    ("POST", FINALIZE),
    ("POST", RECORDING_VERIFY),
    ("POST", USER_DISABLE),
    ("POST", USER_ENABLE),
    ("POST", USER_TOKEN),
    ("POST", LOG_CHECKPOINT),
}


async def test_every_route_that_takes_a_body_has_a_slow_link_test(server):
    app = build_app(server.ctx.services)
    with_bodies = {
        (route.method, route.resource.canonical)
        for route in app.router.routes()
        if route.method in ("POST", "PUT", "PATCH") and route.resource is not None
    }
    assert with_bodies - NO_BODY == set(SLOW_LINK_TESTS)
    for target in set(SLOW_LINK_TESTS.values()):
        module, name = target.split(":")
        assert callable(getattr(importlib.import_module(module), name)), target
