//! Insertable rows for the domain tables (seeding, imports, later workflows).
//! Every row carries `updated_at` (UTC) and `updated_device` (sync-ready).

use crate::schema::*;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Insertable, Clone, Debug)]
#[diesel(table_name = participants)]
pub struct NewParticipant {
    pub id: String,
    pub given_name: String,
    pub family_name: String,
    pub email: String,
    pub phone: Option<String>,
    pub certified_16_plus_at: NaiveDateTime,
    pub last_login_at: Option<NaiveDateTime>,
    pub account_status: String,
    pub marketing_opt_out: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub updated_device: String,
}

#[derive(Insertable, Clone, Debug)]
#[diesel(table_name = family_situations)]
pub struct NewFamilySituation {
    pub participant_id: String,
    pub children_count: i32,
    pub age_brackets: String,
    pub challenges: Option<String>,
    pub updated_at: NaiveDateTime,
    pub updated_device: String,
}

#[derive(Insertable, Clone, Debug)]
#[diesel(table_name = consents)]
pub struct NewConsent {
    pub id: String,
    pub participant_id: String,
    pub purpose: String,
    pub granted: bool,
    pub recorded_at: NaiveDateTime,
    pub source: String,
    pub updated_at: NaiveDateTime,
    pub updated_device: String,
}

#[derive(Insertable, Clone, Debug)]
#[diesel(table_name = programmes)]
pub struct NewProgramme {
    pub id: String,
    pub name: String,
    pub format: String,
    pub advanced: bool,
    pub updated_at: NaiveDateTime,
    pub updated_device: String,
}

#[derive(Insertable, Clone, Debug)]
#[diesel(table_name = rooms)]
pub struct NewRoom {
    pub id: String,
    pub name: String,
    pub capacity: i32,
    pub updated_at: NaiveDateTime,
    pub updated_device: String,
}

#[derive(Insertable, Clone, Debug)]
#[diesel(table_name = workshop_groups)]
pub struct NewGroup {
    pub id: String,
    pub programme_id: String,
    pub name: String,
    pub trainer_id: String,
    pub external_trainer_id: Option<String>,
    pub capacity: i32,
    pub schedule: String,
    pub slot: String,
    pub room_id: Option<String>,
    pub updated_at: NaiveDateTime,
    pub updated_device: String,
}

#[derive(Insertable, Clone, Debug)]
#[diesel(table_name = sessions)]
pub struct NewSession {
    pub id: String,
    pub group_id: String,
    pub kind: String,
    pub title: String,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub room_id: Option<String>,
    pub updated_at: NaiveDateTime,
    pub updated_device: String,
}

#[derive(Insertable, Clone, Debug)]
#[diesel(table_name = enrolments)]
pub struct NewEnrolment {
    pub id: String,
    pub participant_id: String,
    pub programme_id: String,
    pub group_id: Option<String>,
    pub status: String,
    pub available_slots: String,
    pub preferred_slot: Option<String>,
    pub requested_at: NaiveDateTime,
    pub decided_at: Option<NaiveDateTime>,
    pub decided_by: Option<String>,
    pub waiver_reason: Option<String>,
    pub updated_at: NaiveDateTime,
    pub updated_device: String,
}

#[derive(Insertable, Clone, Debug)]
#[diesel(table_name = payments)]
pub struct NewPayment {
    pub id: String,
    pub participant_id: Option<String>,
    pub enrolment_id: Option<String>,
    pub amount_cents: i64,
    pub currency: String,
    pub status: String,
    pub processor_ref: String,
    pub paid_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
    pub updated_device: String,
}

#[derive(Insertable, Clone, Debug)]
#[diesel(table_name = invoices)]
pub struct NewInvoice {
    pub id: String,
    pub participant_id: Option<String>,
    pub payment_id: Option<String>,
    pub number: String,
    pub kind: String,
    pub amount_cents: i64,
    pub issued_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub updated_device: String,
}

#[derive(Insertable, Clone, Debug)]
#[diesel(table_name = attendance)]
pub struct NewAttendance {
    pub id: String,
    pub session_id: String,
    pub participant_id: String,
    pub joined_at: NaiveDateTime,
    pub left_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
    pub updated_device: String,
}

#[derive(Insertable, Clone, Debug)]
#[diesel(table_name = questions)]
pub struct NewQuestion {
    pub id: String,
    pub session_id: String,
    pub participant_id: String,
    pub asked_at: NaiveDateTime,
    pub body: String,
    pub updated_at: NaiveDateTime,
    pub updated_device: String,
}

#[derive(Insertable, Clone, Debug)]
#[diesel(table_name = forum_posts)]
pub struct NewForumPost {
    pub id: String,
    pub participant_id: Option<String>,
    pub thread: String,
    pub body: String,
    pub posted_at: NaiveDateTime,
    pub anonymised: bool,
    pub updated_at: NaiveDateTime,
    pub updated_device: String,
}

#[derive(Insertable, Clone, Debug)]
#[diesel(table_name = progress_notes)]
pub struct NewProgressNote {
    pub id: String,
    pub participant_id: String,
    pub author_id: String,
    pub body: String,
    pub written_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub updated_device: String,
}

#[derive(Insertable, Clone, Debug)]
#[diesel(table_name = objectives)]
pub struct NewObjective {
    pub id: String,
    pub participant_id: String,
    pub body: String,
    pub declared_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub updated_device: String,
}

#[derive(Insertable, Clone, Debug)]
#[diesel(table_name = technical_traces)]
pub struct NewTechnicalTrace {
    pub id: String,
    pub participant_id: Option<String>,
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
    pub session_seconds: Option<i32>,
    pub recorded_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub updated_device: String,
}

#[derive(Insertable, Clone, Debug)]
#[diesel(table_name = assistance_requests)]
pub struct NewAssistanceRequest {
    pub id: String,
    pub participant_id: String,
    pub support_id: String,
    pub opened_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub closed_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
    pub updated_device: String,
}

#[derive(Insertable, Clone, Debug)]
#[diesel(table_name = processing_register)]
pub struct NewProcessingActivity {
    pub id: String,
    pub name: String,
    pub purpose: String,
    pub legal_basis: String,
    pub balancing_test: Option<String>,
    pub data_categories: String,
    pub retention: String,
    pub updated_at: NaiveDateTime,
    pub updated_device: String,
}

#[derive(Insertable, Clone, Debug)]
#[diesel(table_name = processors)]
pub struct NewProcessor {
    pub id: String,
    pub name: String,
    pub service: String,
    pub country: String,
    pub outside_eea: bool,
    pub transfer_safeguard: Option<String>,
    pub updated_at: NaiveDateTime,
    pub updated_device: String,
}
