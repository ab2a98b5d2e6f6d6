//! Diesel table definitions matching `migrations/` (checked by the
//! `dc_2_schema_rs_matches_the_migrations` test (`crates/store/tests/schema.rs`), which compares column names and nullability).
// @generated-style: keep in step with migrations; do not add logic here.

diesel::table! {
    app_meta (key) {
        key -> Text,
        value -> Text,
    }
}

diesel::table! {
    devices (id) {
        id -> Text,
        label -> Text,
        registered_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
        updated_device -> Text,
        staff_id -> Nullable<Text>,
        last_contact_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    staff (id) {
        id -> Text,
        username -> Text,
        display_name -> Text,
        role -> Text,
        password_hash -> Text,
        failed_attempts -> Integer,
        blocked_until -> Nullable<Timestamp>,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        updated_device -> Text,
        must_change_password -> Bool,
    }
}

diesel::table! {
    enrolment_codes (id) {
        id -> Text,
        staff_id -> Text,
        secret_hash -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        used_device -> Nullable<Text>,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        updated_device -> Text,
    }
}

diesel::table! {
    participants (id) {
        id -> Text,
        given_name -> Text,
        family_name -> Text,
        email -> Text,
        phone -> Nullable<Text>,
        certified_16_plus_at -> Timestamp,
        last_login_at -> Nullable<Timestamp>,
        account_status -> Text,
        marketing_opt_out -> Bool,
        objects_to_suggestions -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        updated_device -> Text,
        reminded_at -> Nullable<Timestamp>,
        objects_to_statistics -> Bool,
    }
}

diesel::table! {
    family_situations (participant_id) {
        participant_id -> Text,
        children_count -> Integer,
        age_brackets -> Text,
        challenges -> Nullable<Text>,
        updated_at -> Timestamp,
        updated_device -> Text,
    }
}

diesel::table! {
    consents (id) {
        id -> Text,
        participant_id -> Text,
        purpose -> Text,
        granted -> Bool,
        recorded_at -> Timestamp,
        source -> Text,
        updated_at -> Timestamp,
        updated_device -> Text,
        policy_version -> Nullable<Text>,
    }
}

diesel::table! {
    programmes (id) {
        id -> Text,
        name -> Text,
        format -> Text,
        advanced -> Bool,
        updated_at -> Timestamp,
        updated_device -> Text,
    }
}

diesel::table! {
    rooms (id) {
        id -> Text,
        name -> Text,
        capacity -> Integer,
        updated_at -> Timestamp,
        updated_device -> Text,
    }
}

diesel::table! {
    workshop_groups (id) {
        id -> Text,
        programme_id -> Text,
        name -> Text,
        trainer_id -> Text,
        external_trainer_id -> Nullable<Text>,
        capacity -> Integer,
        schedule -> Text,
        slot -> Text,
        room_id -> Nullable<Text>,
        updated_at -> Timestamp,
        updated_device -> Text,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        group_id -> Text,
        kind -> Text,
        title -> Text,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        room_id -> Nullable<Text>,
        updated_at -> Timestamp,
        updated_device -> Text,
    }
}

diesel::table! {
    enrolments (id) {
        id -> Text,
        participant_id -> Text,
        programme_id -> Text,
        group_id -> Nullable<Text>,
        status -> Text,
        available_slots -> Text,
        preferred_slot -> Nullable<Text>,
        requested_at -> Timestamp,
        decided_at -> Nullable<Timestamp>,
        decided_by -> Nullable<Text>,
        waiver_reason -> Nullable<Text>,
        updated_at -> Timestamp,
        updated_device -> Text,
        channel -> Text,
    }
}

diesel::table! {
    payments (id) {
        id -> Text,
        participant_id -> Nullable<Text>,
        enrolment_id -> Nullable<Text>,
        amount_cents -> BigInt,
        currency -> Text,
        status -> Text,
        processor_ref -> Text,
        paid_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
        updated_device -> Text,
        method -> Text,
        recorded_by -> Nullable<Text>,
        refunded_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    invoices (id) {
        id -> Text,
        participant_id -> Nullable<Text>,
        payment_id -> Nullable<Text>,
        number -> Text,
        kind -> Text,
        amount_cents -> BigInt,
        issued_at -> Timestamp,
        updated_at -> Timestamp,
        updated_device -> Text,
    }
}

diesel::table! {
    attendance (id) {
        id -> Text,
        session_id -> Text,
        participant_id -> Text,
        joined_at -> Timestamp,
        left_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
        updated_device -> Text,
    }
}

diesel::table! {
    questions (id) {
        id -> Text,
        session_id -> Text,
        participant_id -> Text,
        asked_at -> Timestamp,
        body -> Text,
        updated_at -> Timestamp,
        updated_device -> Text,
    }
}

diesel::table! {
    forum_posts (id) {
        id -> Text,
        participant_id -> Nullable<Text>,
        thread -> Text,
        body -> Text,
        posted_at -> Timestamp,
        anonymised -> Bool,
        updated_at -> Timestamp,
        updated_device -> Text,
    }
}

diesel::table! {
    progress_notes (id) {
        id -> Text,
        participant_id -> Text,
        author_id -> Text,
        body -> Text,
        written_at -> Timestamp,
        updated_at -> Timestamp,
        updated_device -> Text,
    }
}

diesel::table! {
    objectives (id) {
        id -> Text,
        participant_id -> Text,
        body -> Text,
        declared_at -> Timestamp,
        updated_at -> Timestamp,
        updated_device -> Text,
    }
}

diesel::table! {
    technical_traces (id) {
        id -> Text,
        participant_id -> Nullable<Text>,
        ip_address -> Nullable<Text>,
        user_agent -> Nullable<Text>,
        session_seconds -> Nullable<Integer>,
        recorded_at -> Timestamp,
        updated_at -> Timestamp,
        updated_device -> Text,
        event -> Nullable<Text>,
        section -> Nullable<Text>,
        programme_id -> Nullable<Text>,
        step -> Nullable<Integer>,
        session_id -> Nullable<Text>,
    }
}

diesel::table! {
    assistance_requests (id) {
        id -> Text,
        participant_id -> Text,
        support_id -> Text,
        opened_at -> Timestamp,
        expires_at -> Timestamp,
        closed_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
        updated_device -> Text,
    }
}

diesel::table! {
    rights_requests (id) {
        id -> Text,
        participant_id -> Nullable<Text>,
        kind -> Text,
        channel -> Text,
        received_at -> Timestamp,
        identity_check_method -> Nullable<Text>,
        identity_checked_by -> Nullable<Text>,
        identity_checked_at -> Nullable<Timestamp>,
        status -> Text,
        grounds -> Nullable<Text>,
        updated_at -> Timestamp,
        updated_device -> Text,
        objection_purpose -> Nullable<Text>,
        decision -> Nullable<Text>,
        extended_at -> Nullable<Timestamp>,
        answered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_subjects (participant_id, seq) {
        participant_id -> Text,
        seq -> BigInt,
    }
}

diesel::table! {
    rights_request_actions (id) {
        id -> Text,
        request_id -> Text,
        at -> Timestamp,
        staff_id -> Text,
        action -> Text,
        field -> Nullable<Text>,
        detail -> Nullable<Text>,
        updated_at -> Timestamp,
        updated_device -> Text,
    }
}

diesel::table! {
    retention_runs (id) {
        id -> Text,
        ran_at -> Timestamp,
        ran_by -> Text,
        rules -> Text,
        summary -> Text,
        updated_at -> Timestamp,
        updated_device -> Text,
    }
}

diesel::table! {
    retention_log (id) {
        id -> Text,
        run_id -> Text,
        action -> Text,
        subject_ref -> Text,
        due_since -> Date,
        deadline -> Date,
        executed_at -> Timestamp,
        updated_at -> Timestamp,
        updated_device -> Text,
    }
}

diesel::table! {
    policy_versions (id) {
        id -> Text,
        version -> Text,
        published_at -> Timestamp,
        effective_at -> Timestamp,
        significant -> Bool,
        summary -> Text,
        updated_at -> Timestamp,
        updated_device -> Text,
    }
}

diesel::table! {
    policy_notifications (id) {
        id -> Text,
        policy_version_id -> Text,
        participant_id -> Text,
        notified_at -> Timestamp,
        channel -> Text,
        updated_at -> Timestamp,
        updated_device -> Text,
    }
}

diesel::table! {
    erasure_certificates (id) {
        id -> Text,
        subject_ref -> Text,
        request_id -> Nullable<Text>,
        reason -> Text,
        erased_at -> Timestamp,
        erased_by -> Text,
        document -> Text,
        html -> Text,
        fingerprint -> Text,
        updated_at -> Timestamp,
        updated_device -> Text,
    }
}

diesel::table! {
    legal_holds (id) {
        id -> Text,
        subject_ref -> Text,
        record_table -> Text,
        record_id -> Text,
        reason -> Text,
        held_until -> Timestamp,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        updated_device -> Text,
    }
}

diesel::table! {
    audit_log (seq) {
        seq -> BigInt,
        id -> Text,
        at -> Text,
        actor_id -> Text,
        device_id -> Text,
        action -> Text,
        participant_id -> Nullable<Text>,
        outcome -> Text,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::table! {
    audit_chain (id) {
        id -> Integer,
        anchor_seq -> BigInt,
        anchor_hash -> Text,
        head_seq -> BigInt,
        head_hash -> Text,
    }
}

diesel::table! {
    processing_register (id) {
        id -> Text,
        name -> Text,
        purpose -> Text,
        legal_basis -> Text,
        balancing_test -> Nullable<Text>,
        data_categories -> Text,
        retention -> Text,
        updated_at -> Timestamp,
        updated_device -> Text,
    }
}

diesel::table! {
    processors (id) {
        id -> Text,
        name -> Text,
        service -> Text,
        country -> Text,
        outside_eea -> Bool,
        transfer_safeguard -> Nullable<Text>,
        updated_at -> Timestamp,
        updated_device -> Text,
    }
}

diesel::table! {
    outbox_messages (id) {
        id -> Text,
        participant_id -> Text,
        template -> Text,
        session_id -> Nullable<Text>,
        subject -> Text,
        body -> Text,
        queued_at -> Timestamp,
        queued_by -> Text,
        status -> Text,
        updated_at -> Timestamp,
        updated_device -> Text,
        delivery_attempts -> Integer,
        delivery_error -> Nullable<Text>,
    }
}

diesel::table! {
    import_unmatched (id) {
        id -> Text,
        import_id -> Text,
        session_id -> Text,
        kind -> Text,
        line -> Integer,
        name -> Text,
        email -> Text,
        starts_at -> Timestamp,
        ends_at -> Nullable<Timestamp>,
        question -> Nullable<Text>,
        imported_at -> Timestamp,
        imported_by -> Text,
        updated_at -> Timestamp,
        updated_device -> Text,
    }
}

// Issue 15: registrations and payments (migrations/2026-12-08-000000_registrations_payments).
diesel::table! {
    payments_unmatched (id) {
        id -> Text,
        method -> Text,
        processor_ref -> Text,
        payer_name -> Text,
        payer_email -> Text,
        amount_cents -> BigInt,
        status -> Text,
        paid_at -> Nullable<Timestamp>,
        received_at -> Timestamp,
        updated_at -> Timestamp,
        updated_device -> Text,
    }
}

diesel::table! {
    intake_deliveries (id) {
        id -> Text,
        received_at -> Timestamp,
        outcome -> Text,
        enrolment_id -> Nullable<Text>,
        updated_at -> Timestamp,
        updated_device -> Text,
    }
}

diesel::table! {
    stat_releases (month) {
        month -> Text,
        published_at -> Timestamp,
        cells -> Integer,
        published -> Integer,
        updated_at -> Timestamp,
        updated_device -> Text,
    }
}

diesel::table! {
    stat_cells (id) {
        id -> Text,
        month -> Text,
        table_name -> Text,
        programme_id -> Nullable<Text>,
        group_id -> Nullable<Text>,
        dimension -> Text,
        measure -> Text,
        value -> Nullable<BigInt>,
        outcome -> Text,
        position -> Integer,
        updated_at -> Timestamp,
        updated_device -> Text,
    }
}

diesel::joinable!(workshop_groups -> programmes (programme_id));
diesel::joinable!(rights_request_actions -> rights_requests (request_id));
diesel::joinable!(rights_request_actions -> staff (staff_id));
diesel::joinable!(rights_requests -> participants (participant_id));
diesel::joinable!(retention_log -> retention_runs (run_id));
diesel::joinable!(policy_notifications -> policy_versions (policy_version_id));
diesel::joinable!(workshop_groups -> rooms (room_id));
diesel::joinable!(sessions -> workshop_groups (group_id));
diesel::joinable!(enrolments -> participants (participant_id));
diesel::joinable!(enrolments -> workshop_groups (group_id));
diesel::joinable!(attendance -> sessions (session_id));
diesel::joinable!(attendance -> participants (participant_id));
diesel::joinable!(questions -> sessions (session_id));
diesel::joinable!(questions -> participants (participant_id));
diesel::joinable!(family_situations -> participants (participant_id));
diesel::joinable!(progress_notes -> participants (participant_id));
diesel::joinable!(progress_notes -> staff (author_id));
diesel::joinable!(objectives -> participants (participant_id));
diesel::joinable!(assistance_requests -> participants (participant_id));
diesel::joinable!(assistance_requests -> staff (support_id));

diesel::joinable!(outbox_messages -> participants (participant_id));
diesel::joinable!(enrolments -> programmes (programme_id));
diesel::joinable!(import_unmatched -> sessions (session_id));

// Issue 5: sync bookkeeping (migrations/2026-12-01-000000_sync).
diesel::table! {
    sync_outbox (seq) {
        seq -> BigInt,
        op_id -> Text,
        kind -> Text,
        subject_id -> Nullable<Text>,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    sync_refusals (op_id) {
        op_id -> Text,
        kind -> Text,
        subject_id -> Nullable<Text>,
        code -> Text,
        message -> Text,
        refused_at -> Timestamp,
        dismissed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    sync_fetch_queue (subject_id) {
        subject_id -> Text,
    }
}

diesel::table! {
    sync_applied (op_id) {
        op_id -> Text,
        device_id -> Text,
        staff_id -> Text,
        kind -> Text,
        outcome -> Text,
        code -> Nullable<Text>,
        message -> Nullable<Text>,
        applied_at -> Timestamp,
    }
}

diesel::table! {
    sync_changes (seq) {
        seq -> BigInt,
        subject_id -> Nullable<Text>,
        entity -> Text,
    }
}

diesel::table! {
    sync_tombstones (subject_id) {
        subject_id -> Text,
        erased_at -> Timestamp,
        seq -> BigInt,
    }
}

diesel::table! {
    device_tokens (token_hash) {
        token_hash -> Text,
        device_id -> Text,
        issued_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    device_audit (device_id, device_seq) {
        device_id -> Text,
        device_seq -> BigInt,
        at -> Timestamp,
        staff_id -> Text,
        action -> Text,
        participant_id -> Nullable<Text>,
        outcome -> Text,
        prev_hash -> Text,
        hash -> Text,
        received_at -> Timestamp,
    }
}

diesel::table! {
    audit_alerts (id) {
        id -> Text,
        kind -> Text,
        staff_id -> Text,
        device_id -> Text,
        first_at -> Timestamp,
        last_at -> Timestamp,
        entries -> Integer,
        raised_at -> Timestamp,
        acknowledged_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(device_tokens -> devices (device_id));

diesel::allow_tables_to_appear_in_same_query!(
    enrolment_codes,
    sync_outbox,
    sync_refusals,
    sync_fetch_queue,
    sync_applied,
    sync_changes,
    sync_tombstones,
    device_tokens,
    device_audit,
    audit_alerts,
    outbox_messages,
    import_unmatched,
    app_meta,
    devices,
    staff,
    participants,
    family_situations,
    consents,
    programmes,
    rooms,
    workshop_groups,
    sessions,
    enrolments,
    payments,
    invoices,
    attendance,
    questions,
    forum_posts,
    progress_notes,
    objectives,
    technical_traces,
    stat_releases,
    stat_cells,
    assistance_requests,
    rights_requests,
    legal_holds,
    audit_log,
    audit_chain,
    processing_register,
    processors,
    rights_request_actions,
    audit_subjects,
    retention_runs,
    retention_log,
    policy_versions,
    policy_notifications,
    erasure_certificates,
);
