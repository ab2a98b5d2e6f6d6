//! ROLE-1..5, POL-20, POL-21: every command the UI can call × every role.
//! Allowed roles see exactly the expected rows; the others get "not permitted"
//! and the attempt is audited. `expectation` matches on every `Command`, so a
//! new command does not compile here until its row is written.

mod common;

use common::{now, Fixture};
use contract::Command;
use diesel::prelude::*;
use diesel::sql_types::Text;
use domain::{Actor, Role};
use std::collections::BTreeSet;
use store::StoreError;

const ACCOUNTS: [(&str, Role); 7] = [
    ("formatrice.a", Role::Trainer),
    ("formateur.b", Role::Trainer),
    ("formatrice.c", Role::Trainer),
    ("intervenant.x", Role::ExternalTrainer),
    ("admin.lemans", Role::Administrator),
    ("dpo", Role::Dpo),
    ("support", Role::Support),
];

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = Text)]
    id: String,
}

/// The participants a staff member should see, computed independently of the
/// store's own scoping code, straight from the ROLE table's wording.
fn expected_participants(fixture: &mut Fixture, actor: &Actor) -> BTreeSet<String> {
    let me = actor.staff_id.as_str();
    let sql = match actor.role {
        Role::Trainer => format!(
            "SELECT DISTINCT e.participant_id AS id FROM enrolments e JOIN workshop_groups g ON g.id = e.group_id \
             WHERE g.trainer_id = '{me}' AND e.status = 'confirmed'"
        ),
        Role::ExternalTrainer => format!(
            "SELECT DISTINCT e.participant_id AS id FROM enrolments e JOIN workshop_groups g ON g.id = e.group_id \
             WHERE g.external_trainer_id = '{me}' AND e.status = 'confirmed'"
        ),
        Role::Support => format!(
            "SELECT participant_id AS id FROM assistance_requests WHERE support_id = '{me}' \
             AND closed_at IS NULL AND expires_at > '{}'",
            now().naive_utc()
        ),
        Role::Administrator | Role::Dpo => "SELECT id FROM participants".to_owned(),
    };
    diesel::sql_query(sql)
        .load::<Id>(fixture.store.connection())
        .unwrap()
        .into_iter()
        .map(|row| row.id)
        .collect()
}

fn expected_groups(fixture: &mut Fixture, actor: &Actor) -> BTreeSet<String> {
    let me = actor.staff_id.as_str();
    let sql = match actor.role {
        Role::Trainer => format!("SELECT id FROM workshop_groups WHERE trainer_id = '{me}'"),
        Role::ExternalTrainer => {
            format!("SELECT id FROM workshop_groups WHERE external_trainer_id = '{me}'")
        }
        _ => "SELECT id FROM workshop_groups".to_owned(),
    };
    diesel::sql_query(sql)
        .load::<Id>(fixture.store.connection())
        .unwrap()
        .into_iter()
        .map(|row| row.id)
        .collect()
}

fn denied_count(fixture: &mut Fixture, actor: &Actor) -> i64 {
    use store::schema::audit_log;
    audit_log::table
        .filter(audit_log::actor_id.eq(actor.staff_id.as_str()))
        .filter(audit_log::outcome.eq("denied"))
        .count()
        .get_result(fixture.store.connection())
        .unwrap()
}

/// What a role may do with a command.
enum Expect {
    /// No session needed, no personal data: checked by the desktop tests.
    Public,
    /// Allowed, with exactly the rows of the role's scope.
    Scoped,
    /// Refused with "not permitted", audited.
    Denied,
}

fn expectation(command: Command, role: Role) -> Expect {
    use Role::*;
    match command {
        Command::AppInfo
        | Command::SignIn
        | Command::SignOut
        | Command::CurrentSession
        | Command::Vocabularies
        | Command::ConnectLaptop
        | Command::OpenEnrolmentFile
        | Command::SaveEnrolmentCode => Expect::Public,
        // Issue 14, POL-18: one's own password, every role.
        Command::ChangePassword => Expect::Scoped,
        // Issue 14: staff accounts and laptops, the office and the DPO (the
        // target's role is checked inside: `accounts_manage_by_target_role`).
        Command::StaffAccounts
        | Command::CreateStaff
        | Command::ResetStaffPassword
        | Command::IssueEnrolmentCode
        | Command::DeactivateStaff
        | Command::Laptops
        | Command::RevokeLaptop => match role {
            Administrator | Dpo => Expect::Scoped,
            Trainer | ExternalTrainer | Support => Expect::Denied,
        },
        // Sync bookkeeping: counts, codes and pseudonymous ids, for every role
        // (crates/sync/tests, src-tauri/tests).
        Command::SyncStatus | Command::SyncNow | Command::DismissRefusal => Expect::Public,
        // Issue 15: spreadsheet import: the office and the DPO (ROLE-3, the
        // Registration category); closing the file touches no store.
        Command::OpenFamiliesFile
        | Command::FamiliesSheet
        | Command::PreviewFamiliesImport
        | Command::ApplyFamiliesImport => match role {
            Administrator | Dpo => Expect::Scoped,
            Trainer | ExternalTrainer | Support => Expect::Denied,
        },
        Command::CloseFamiliesFile => Expect::Public,
        // Issue 16 (POL-11, POL-12): published statistics, for the office,
        // the DPO and trainers (the funnels of the groups they lead).
        Command::StatisticsMonths | Command::StatisticsMonth | Command::StatisticsExport => {
            match role {
                Trainer | Administrator | Dpo => Expect::Scoped,
                ExternalTrainer | Support => Expect::Denied,
            }
        }
        Command::ListParticipants => Expect::Scoped,
        Command::ParticipantProfile => match role {
            ExternalTrainer => Expect::Denied,
            Trainer | Administrator | Support | Dpo => Expect::Scoped,
        },
        Command::ListGroups => match role {
            Support => Expect::Denied,
            Trainer | ExternalTrainer | Administrator | Dpo => Expect::Scoped,
        },
        Command::AuditTrail
        | Command::VerifyAuditChain
        | Command::AuditAlerts
        | Command::AcknowledgeAlert => match role {
            Dpo => Expect::Scoped,
            Trainer | ExternalTrainer | Administrator | Support => Expect::Denied,
        },
        // Planning reads: everyone but support (ROLE-4 reaches one account only).
        Command::UpcomingSessions | Command::PlanningResources | Command::GroupSessions => {
            match role {
                Support => Expect::Denied,
                Trainer | ExternalTrainer | Administrator | Dpo => Expect::Scoped,
            }
        }
        // Preparing sessions, notes and objectives: trainers (their people) and the DPO.
        Command::PreparationSheet
        | Command::SetAttendance
        | Command::AddProgressNote
        | Command::EditProgressNote
        | Command::AddObjective
        | Command::EditObjective => match role {
            Trainer | Dpo => Expect::Scoped,
            ExternalTrainer | Administrator | Support => Expect::Denied,
        },
        // Balancing and messages: the office and the DPO.
        Command::BalancingPropose
        | Command::BalancingEvaluate
        | Command::BalancingApply
        | Command::MessagePreview
        | Command::QueueMessages
        | Command::Outbox => match role {
            Administrator | Dpo => Expect::Scoped,
            Trainer | ExternalTrainer | Support => Expect::Denied,
        },
        // Reports: trainers for their own sessions, the office, the DPO.
        Command::ImportReport | Command::UnmatchedRows | Command::ResolveUnmatched => match role {
            Trainer | Administrator | Dpo => Expect::Scoped,
            ExternalTrainer | Support => Expect::Denied,
        },
        // The names-and-e-mails list: of one's own workshop (trainers, external
        // trainers), of any group (office, DPO); support has no workshop.
        Command::ExportContactList => match role {
            Support => Expect::Denied,
            Trainer | ExternalTrainer | Administrator | Dpo => Expect::Scoped,
        },
        // Registrations, places and planning changes: the office and the DPO.
        // Issue 15: new registrations and payments likewise (decisions 030, 031).
        Command::RegistrationForm
        | Command::LookupPerson
        | Command::RegisterFamily
        | Command::RegistrationPayments
        | Command::RecordPayment
        | Command::RefundPayment
        | Command::UnmatchedPayments
        | Command::MatchPayment
        | Command::Registrations
        | Command::ConfirmPlace
        | Command::CancelEnrolment
        | Command::MoveEnrolment
        | Command::AddSession
        | Command::UpdateGroup => match role {
            Administrator | Dpo => Expect::Scoped,
            Trainer | ExternalTrainer | Support => Expect::Denied,
        },
        // The DPO's desk (issue 4): rights requests, exports, erasure,
        // consents, retention, registers, legal holds. The DPO only (ROLE-5).
        Command::RightsRequests
        | Command::RegisterRightsRequest
        | Command::RightsRequestDetail
        | Command::AdvanceRightsRequest
        | Command::RectifyField
        | Command::DecideObjection
        | Command::UnsubscribeParticipant
        | Command::RecordConsent
        | Command::ExportAccess
        | Command::EraseParticipant
        | Command::SaveCertificate
        | Command::LegalHolds
        | Command::RetentionRules
        | Command::SetRetentionRule
        | Command::RetentionPreview
        | Command::RetentionRun
        | Command::SaveQuarterlyReport
        | Command::Registers
        | Command::SaveProcessor
        | Command::SaveActivity
        | Command::PublishPolicyVersion
        | Command::AssistanceRequests
        | Command::RenewAssistance
        | Command::CloseAssistance => match role {
            Dpo => Expect::Scoped,
            Trainer | ExternalTrainer | Administrator | Support => Expect::Denied,
        },
    }
}

/// Registers a request of `kind` about `participant` and checks the identity.
fn checked_request(
    conn: &mut diesel::SqliteConnection,
    actor: &Actor,
    participant: &str,
    kind: &str,
    purpose: Option<&str>,
) -> Result<String, StoreError> {
    use domain::rights::{Channel, ObjectionPurpose, RequestKind, Step};
    use store::rights::{self, NewRequest};
    let at = now();
    let request = rights::register_request(
        conn,
        actor,
        &NewRequest {
            participant_id: domain::ParticipantId(participant.to_owned()),
            kind: RequestKind::parse(kind).unwrap(),
            channel: Channel::Email,
            received_on: at.date_naive(),
            objection_purpose: purpose.and_then(ObjectionPurpose::parse),
        },
        at,
    )?;
    rights::advance(
        conn,
        actor,
        &request.id,
        &Step::CheckIdentity {
            method: "pièce d'identité vérifiée".into(),
        },
        at,
    )?;
    Ok(request.id)
}

/// The DPO of the demo, as an actor.
fn fixture_dpo(conn: &mut diesel::SqliteConnection) -> Actor {
    use store::schema::staff;
    let id: String = staff::table
        .filter(staff::username.eq("dpo"))
        .select(staff::id)
        .first(conn)
        .unwrap();
    let device: String = store::schema::app_meta::table
        .filter(store::schema::app_meta::key.eq("device_id"))
        .select(store::schema::app_meta::value)
        .first(conn)
        .unwrap();
    Actor::new(domain::StaffId(id), Role::Dpo, domain::DeviceId(device))
}

/// Runs one of the workspace commands as `actor` with arguments that make
/// sense for the actor (their own session, a participant of their scope, a
/// paid request…), as the window would.
fn run_workspace_command(
    fixture: &mut Fixture,
    actor: &Actor,
    command: Command,
) -> Result<(), StoreError> {
    use store::schema::{enrolments, objectives, progress_notes, sessions, workshop_groups};
    use store::{enrolment, planning, trainer};
    let at = now();
    let conn = fixture.store.connection();
    let me = actor.staff_id.as_str().to_owned();
    // A session of a group the actor leads (trainers), else any session.
    let session: String = if actor.role == Role::Trainer {
        sessions::table
            .inner_join(workshop_groups::table)
            .filter(workshop_groups::trainer_id.eq(&me))
            .select(sessions::id)
            .first(conn)
            .unwrap()
    } else {
        sessions::table.select(sessions::id).first(conn).unwrap()
    };
    let group: String = sessions::table
        .find(&session)
        .select(sessions::group_id)
        .first(conn)
        .unwrap();
    let participant: String = enrolments::table
        .filter(enrolments::group_id.eq(&group))
        .filter(enrolments::status.eq("confirmed"))
        .select(enrolments::participant_id)
        .first(conn)
        .unwrap();
    // A pending request, and a group of its programme.
    let (request, programme): (String, String) = enrolments::table
        .filter(enrolments::status.eq("requested"))
        .order(enrolments::id)
        .select((enrolments::id, enrolments::programme_id))
        .first(conn)
        .unwrap();
    let target: String = workshop_groups::table
        .filter(workshop_groups::programme_id.eq(&programme))
        .select(workshop_groups::id)
        .first(conn)
        .unwrap();
    match command {
        Command::UpcomingSessions => {
            let rows = trainer::upcoming_sessions(conn, actor, at)?;
            assert!(
                !rows.is_empty(),
                "every planning reader has sessions in the demo"
            );
        }
        Command::PlanningResources => {
            let resources = planning::resources(conn, actor, at)?;
            assert!(!resources.rooms.is_empty() && !resources.trainers.is_empty());
        }
        Command::GroupSessions => {
            planning::group_sessions(conn, actor, &group, at)?;
        }
        Command::PreparationSheet => {
            let sheet = trainer::preparation_sheet(conn, actor, &session, at)?;
            assert!(sheet
                .participants
                .iter()
                .any(|p| p.participant_id == participant));
        }
        Command::SetAttendance => {
            trainer::set_attendance(conn, actor, &session, &participant, true, at)?;
        }
        Command::AddProgressNote => {
            trainer::add_progress_note(conn, actor, &participant, "Note de test (fictive).", at)?;
        }
        Command::EditProgressNote => {
            let note = trainer::add_progress_note(conn, actor, &participant, "Avant.", at)
                .or_else(|e| {
                    // Refused writers still need a note id to try the edit with.
                    progress_notes::table
                        .select(progress_notes::id)
                        .first(conn)
                        .map_err(|_| e)
                })?;
            trainer::edit_progress_note(conn, actor, &note, "Après.", at)?;
        }
        Command::AddObjective => {
            trainer::add_objective(conn, actor, &participant, "Objectif de test.", at)?;
        }
        Command::EditObjective => {
            let objective: String = objectives::table
                .filter(objectives::participant_id.eq(&participant))
                .select(objectives::id)
                .first(conn)
                .unwrap();
            trainer::edit_objective(conn, actor, &objective, "Objectif révisé.", at)?;
        }
        Command::Registrations => {
            let rows = enrolment::registrations(conn, actor, enrolment::Listing::Inbox, at)?;
            assert!(rows.iter().any(|r| r.enrolment_id == request));
        }
        Command::ConfirmPlace => {
            enrolment::confirm_place(conn, actor, &request, &target, Some("matrix test"), at)?;
        }
        Command::CancelEnrolment => {
            enrolment::cancel(conn, actor, &request, at)?;
        }
        Command::MoveEnrolment => {
            let current: Option<String> = enrolments::table
                .find(&request)
                .select(enrolments::group_id)
                .first(conn)
                .unwrap();
            let other: String = workshop_groups::table
                .filter(workshop_groups::programme_id.eq(&programme))
                .filter(workshop_groups::id.ne(current.unwrap_or_default()))
                .select(workshop_groups::id)
                .first(conn)
                .unwrap();
            enrolment::move_to_group(conn, actor, &request, &other, at)?;
        }
        Command::AddSession => {
            // One slot per role, so the roles' sessions do not clash with each other.
            let slot = Role::ALL.iter().position(|r| *r == actor.role).unwrap() as i64;
            let starts = at + chrono::Duration::days(400) + chrono::Duration::hours(3 * slot);
            let plan = planning::NewSessionPlan {
                group: &group,
                title: "Séance de test",
                kind: domain::enrolment::SessionKind::Webinar,
                starts,
                ends: starts + chrono::Duration::minutes(60),
                room: None,
            };
            planning::add_session(conn, actor, &plan, at)?;
        }
        Command::UpdateGroup => {
            let change = planning::GroupChange {
                capacity: Some(12),
                ..Default::default()
            };
            planning::update_group(conn, actor, &group, &change, at)?;
        }
        Command::BalancingPropose | Command::BalancingEvaluate | Command::BalancingApply => {
            let view = store::balancing::propose(conn, actor, &programme, at)?;
            match command {
                Command::BalancingEvaluate => {
                    store::balancing::evaluate(conn, actor, &programme, &view.assignments, at)?;
                }
                Command::BalancingApply => {
                    store::balancing::apply(conn, actor, &programme, &view.assignments, at)?;
                }
                _ => {}
            }
        }
        Command::MessagePreview | Command::QueueMessages | Command::Outbox => {
            use domain::messages::Template;
            let context = store::messages::MessageContext {
                session: Some(&session),
                group: Some(&group),
                programme: Some(&programme),
            };
            match command {
                Command::MessagePreview => {
                    store::messages::preview(
                        conn,
                        actor,
                        Template::WebinarReminder,
                        &participant,
                        &context,
                        at,
                    )?;
                }
                Command::QueueMessages => {
                    let queued = store::messages::queue(
                        conn,
                        actor,
                        Template::WebinarReminder,
                        &group,
                        &context,
                        at,
                    )?;
                    use store::schema::enrolments;
                    let confirmed: i64 = enrolments::table
                        .filter(enrolments::group_id.eq(&group))
                        .filter(enrolments::status.eq("confirmed"))
                        .count()
                        .get_result(conn)?;
                    assert_eq!(
                        queued.queued as i64, confirmed,
                        "one message per confirmed member of the group"
                    );
                    assert!(confirmed > 0);
                }
                _ => {
                    store::messages::outbox(conn, actor, at)?;
                }
            }
        }
        Command::ImportReport | Command::UnmatchedRows => {
            let email: String = store::schema::participants::table
                .find(&participant)
                .select(store::schema::participants::email)
                .first(conn)
                .unwrap();
            let report = format!(
                "name,email,join,leave\nPersonne Fictive,{email},2026-11-04 18:30,2026-11-04 19:55\n\
                 Inconnue Fictive,inconnue.fictive@example.test,2026-11-04 18:31,2026-11-04 19:50\n"
            );
            if command == Command::ImportReport {
                let summary = store::import::import_report(
                    conn,
                    actor,
                    &session,
                    report.as_bytes(),
                    chrono_tz::Europe::Paris,
                    false,
                    at,
                )?;
                assert_eq!(summary.matched + summary.duplicates, 1);
            } else {
                store::import::unmatched_rows(conn, actor, &session, at)?;
            }
        }
        Command::ResolveUnmatched => {
            // A row to resolve, put there by the DPO's import.
            let dpo = fixture_dpo(conn);
            let report = "name,email,join,leave\nInconnue Fictive,autre.inconnue@example.test,2026-11-04 18:31,2026-11-04 19:50\n";
            let summary = store::import::import_report(
                conn,
                &dpo,
                &session,
                report.as_bytes(),
                chrono_tz::Europe::Paris,
                false,
                at,
            )
            .unwrap();
            let row = summary.unmatched[0].id.clone();
            store::import::resolve_unmatched(conn, actor, &row, None, at)?;
        }
        Command::ExportContactList => {
            let own: String = match actor.role {
                Role::ExternalTrainer => workshop_groups::table
                    .filter(workshop_groups::external_trainer_id.eq(&me))
                    .select(workshop_groups::id)
                    .first(conn)
                    .unwrap(),
                _ => group.clone(),
            };
            let (_, contacts) = store::contacts::workshop_contacts(conn, actor, &own, at)?;
            assert!(!contacts.is_empty());
        }
        Command::RightsRequests => {
            store::rights::list_requests(conn, actor, at)?;
        }
        Command::RegisterRightsRequest
        | Command::RightsRequestDetail
        | Command::AdvanceRightsRequest => {
            let id = checked_request(conn, actor, &participant, "access", None)?;
            let detail = store::rights::request_detail(conn, actor, &id, at)?;
            assert_eq!(detail.request.status, "identity_checked");
            assert_eq!(detail.actions.len(), 2);
        }
        Command::RectifyField => {
            let id = checked_request(conn, actor, &participant, "rectification", None)?;
            store::rights::rectify(
                conn,
                actor,
                &id,
                domain::rights::RectifiableField::Phone,
                "01 02 03 04 05",
                at,
            )?;
        }
        Command::DecideObjection => {
            let id = checked_request(
                conn,
                actor,
                &participant,
                "objection",
                Some("module_suggestions"),
            )?;
            store::rights::decide_objection(conn, actor, &id, true, None, at)?;
        }
        Command::UnsubscribeParticipant => {
            store::rights::unsubscribe(
                conn,
                actor,
                &participant,
                domain::rights::ConsentSource::Email,
                None,
                at,
            )?;
        }
        Command::RecordConsent => {
            // Toggle, so the call always changes something.
            let dpo = fixture_dpo(conn);
            let granted = store::rights::preferences(conn, &dpo, &participant, at)
                .unwrap()
                .current
                .iter()
                .find(|(purpose, _)| *purpose == "studies")
                .and_then(|(_, state)| *state)
                != Some(true);
            store::rights::record_consent(
                conn,
                actor,
                &participant,
                domain::rights::ConsentPurpose::Studies,
                granted,
                domain::rights::ConsentSource::Platform,
                at,
            )?;
        }
        Command::ExportAccess => {
            let export = store::export::access_export(conn, actor, &participant, None, at)?;
            assert!(export
                .categories
                .iter()
                .any(|c| c.key == "participants" && c.rows.len() == 1));
        }
        Command::EraseParticipant => {
            use store::schema::{assistance_requests, participants};
            // Someone in no group and with no assistance request: the matrix
            // goes on with the other roles' scopes after this.
            let lonely: String = participants::table
                .filter(diesel::dsl::not(diesel::dsl::exists(
                    enrolments::table
                        .filter(enrolments::participant_id.eq(participants::id))
                        .filter(enrolments::status.ne("requested")),
                )))
                .filter(diesel::dsl::not(diesel::dsl::exists(
                    assistance_requests::table
                        .filter(assistance_requests::participant_id.eq(participants::id)),
                )))
                .select(participants::id)
                .first(conn)
                .unwrap();
            let outcome = store::erase::erase(
                conn,
                actor,
                &lonely,
                domain::access_export::ErasureReason::MinorDiscovered,
                None,
                at,
            )?;
            assert_eq!(outcome.certificate.residual_check.occurrences, 0);
        }
        Command::SaveCertificate => {
            use store::schema::erasure_certificates;
            let id: String = erasure_certificates::table
                .select(erasure_certificates::id)
                .first(conn)
                .optional()
                .unwrap()
                .unwrap_or_default();
            let html = store::erase::certificate_html(conn, actor, &id, at)?;
            assert!(html.contains("Attestation"));
        }
        Command::LegalHolds => {
            store::retention::legal_holds(conn, actor, at)?;
        }
        Command::RetentionRules => {
            assert_eq!(store::retention::rules(conn, actor, at)?.len(), 8);
        }
        Command::SetRetentionRule => {
            store::retention::set_rule(conn, actor, "execution_grace_days", 30, at)?;
        }
        Command::RetentionPreview => {
            store::retention::preview(conn, actor, at)?;
        }
        Command::RetentionRun => {
            store::retention::run(conn, actor, at)?;
        }
        Command::SaveQuarterlyReport => {
            let report = store::retention::quarterly_report(conn, actor, None, at)?;
            assert!(report.to_csv().starts_with('\u{feff}'));
        }
        Command::Registers => {
            let registers = store::registers::registers(conn, actor, at)?;
            assert!(!registers.processors.is_empty());
        }
        Command::SaveProcessor => {
            store::registers::save_processor(
                conn,
                actor,
                &store::registers::Processor {
                    id: None,
                    name: "Archivage (fictif)".into(),
                    service: "sauvegardes".into(),
                    country: "France".into(),
                    outside_eea: false,
                    transfer_safeguard: None,
                },
                at,
            )?;
        }
        Command::SaveActivity => {
            store::registers::save_activity(
                conn,
                actor,
                &store::registers::Activity {
                    id: None,
                    name: "Sauvegardes".into(),
                    purpose: "Restauration après incident".into(),
                    legal_basis: "legitimate_interest".into(),
                    balancing_test: Some("Copies chiffrées, accès restreint".into()),
                    data_categories: "toutes".into(),
                    retention: "30 jours".into(),
                },
                at,
            )?;
        }
        Command::PublishPolicyVersion => {
            store::registers::publish_policy_version(
                conn,
                actor,
                &store::registers::NewPolicyVersion {
                    version: "2026-11-matrice".into(),
                    effective_on: at.date_naive(),
                    significant: false,
                    summary: "Correction de coquilles".into(),
                },
                at,
            )?;
        }
        Command::AssistanceRequests | Command::RenewAssistance | Command::CloseAssistance => {
            let open = store::assistance::open_requests(conn, actor, at)?;
            let request = open
                .first()
                .expect("the demo has an open assistance request");
            match command {
                Command::RenewAssistance => {
                    let renewed = store::assistance::renew(conn, actor, &request.id, at)?;
                    assert!(renewed.expires_at > request.expires_at);
                }
                Command::CloseAssistance => {
                    // Closed and reopened, so support's own row of the matrix still works.
                    store::assistance::close(conn, actor, &request.id, at)?;
                    diesel::update(store::schema::assistance_requests::table.find(&request.id))
                        .set(
                            store::schema::assistance_requests::closed_at
                                .eq(None::<chrono::NaiveDateTime>),
                        )
                        .execute(conn)
                        .unwrap();
                }
                _ => {}
            }
        }
        Command::ChangePassword => {
            let hash = store::accounts::hash_new_password("Une phrase de passe assez longue", "x")?;
            store::accounts::change_own_password(conn, actor, &hash, at)?;
            assert!(store::auth::is_current_password(
                conn,
                actor.staff_id.as_str(),
                "Une phrase de passe assez longue"
            )?);
        }
        Command::StaffAccounts => {
            let rows = store::accounts::list(conn, actor, at)?;
            assert!(rows.len() >= 7, "every account is listed");
            let own: Vec<_> = rows.iter().filter(|row| row.own).collect();
            assert_eq!(own.len(), 1, "exactly one row is the actor's own");
            assert_eq!(own[0].id, actor.staff_id.as_str());
            for row in &rows {
                assert_eq!(
                    row.manageable,
                    domain::staff::may_manage(actor.role, row.role)
                );
            }
        }
        Command::CreateStaff
        | Command::ResetStaffPassword
        | Command::IssueEnrolmentCode
        | Command::DeactivateStaff => {
            let someone = account_to_manage(conn, actor)?;
            let hash = store::accounts::hash_new_password("Une autre phrase de passe", "x")?;
            match command {
                Command::CreateStaff => {}
                Command::ResetStaffPassword => {
                    store::accounts::reset_password(conn, actor, &someone, &hash, at)?;
                    assert!(store::accounts::must_change_password(conn, &someone)?);
                }
                Command::IssueEnrolmentCode => {
                    let expires = at + chrono::Duration::hours(72);
                    store::accounts::issue_enrolment_code(
                        conn,
                        actor,
                        &someone,
                        &format!("{:0>64}", domain::new_id().replace('-', "")),
                        expires,
                        at,
                    )?;
                }
                _ => {
                    let done = store::accounts::deactivate(conn, actor, &someone, at)?;
                    assert!(done.groups.is_empty(), "a new account leads no group");
                }
            }
        }
        // Issue 15: registrations and payments (decisions 030, 031).
        Command::RegistrationForm => {
            let form = store::registration::form_options(conn, actor, at)?;
            assert!(form.programmes.iter().any(|p| p.id == programme));
        }
        Command::LookupPerson => {
            let email: String = store::schema::participants::table
                .find(&participant)
                .select(store::schema::participants::email)
                .first(conn)
                .unwrap();
            let known = store::registration::lookup(conn, actor, &email.to_uppercase(), at)?;
            assert_eq!(known.map(|k| k.participant_id), Some(participant.clone()));
        }
        Command::RegisterFamily => {
            let registration = domain::intake::Registration {
                given_name: "Prénom".into(),
                family_name: "Fictif".into(),
                email: format!("matrice.{}@exemple.test", actor.role.as_str()),
                phone: None,
                children_count: None,
                age_brackets: vec![],
                programme_id: Some(programme.clone()),
                preferred_slots: vec![],
                consents: vec![],
                policy_version: None,
                certified_16_plus_at: Some(at),
                channel: domain::intake::Channel::Phone,
            };
            let done = store::registration::register(conn, actor, &registration, at)?;
            assert!(!done.known && done.enrolment_id.is_some());
        }
        Command::RegistrationPayments => {
            store::payments::list(conn, actor, &request, at)?;
        }
        Command::RecordPayment | Command::RefundPayment => {
            let payment = store::payments::ManualPayment {
                enrolment_id: request.clone(),
                method: domain::payments::PaymentMethod::Cheque,
                received_on: domain::time::paris_date(at),
                amount_cents: 12_000,
                reference: "CHQ 0000001".into(),
            };
            if command == Command::RecordPayment {
                let id = store::payments::record_manual(conn, actor, &payment, at)?;
                let dpo = fixture_dpo(conn);
                let rows = store::payments::list(conn, &dpo, &request, at)?;
                assert!(rows
                    .iter()
                    .any(|r| r.payment_id == id && r.status.as_str() == "confirmed"));
            } else {
                let dpo = fixture_dpo(conn);
                let id = store::payments::record_manual(conn, &dpo, &payment, at)?;
                store::payments::refund(conn, actor, &id, at)?;
            }
        }
        Command::UnmatchedPayments => {
            store::payments::unmatched(conn, actor, at)?;
        }
        Command::MatchPayment => {
            let paid = store::payments::ProcessorPayment {
                method: domain::payments::PaymentMethod::HelloAsso,
                processor_ref: format!("matrice-{}", actor.role.as_str()),
                outcome: domain::payments::HelloAssoOutcome::Paid,
                amount_cents: 9_000,
                paid_at: Some(at),
                payer_name: "Payeur Fictif".into(),
                payer_email: format!("inconnu.{}@exemple.test", actor.role.as_str()),
                enrolment_hint: None,
            };
            let dpo = fixture_dpo(conn);
            let waiting = match store::payments::record_processor(conn, &dpo, &paid, at)? {
                store::payments::ProcessorRecorded::Unmatched { unmatched_id } => unmatched_id,
                other => panic!("an unknown payer is not matched: {other:?}"),
            };
            store::payments::match_unmatched(conn, actor, &waiting, &request, at)?;
        }
        Command::Laptops => {
            // The demo store holds no registered laptop (the server's does).
            assert!(store::accounts::devices(conn, actor, at)?.is_empty());
        }
        Command::RevokeLaptop => {
            let held = store::accounts::revoke_device(conn, actor, &domain::new_id(), at)?;
            assert!(!held, "a laptop's store holds no other device");
        }
        // Issue 15: spreadsheet import
        Command::OpenFamiliesFile | Command::FamiliesSheet => {
            let programmes = store::families_import::programmes(conn, actor, at)?;
            assert_eq!(programmes.len(), 3, "the demo's programmes");
        }
        Command::PreviewFamiliesImport | Command::ApplyFamiliesImport => {
            use domain::families_import::{detect_layout, suggest, Cell, Sheet};
            let text = |t: &str| Cell::Text(t.to_owned());
            let email = format!("famille.matrice.{}@exemple.test", &domain::new_id()[24..]);
            let sheet = Sheet {
                name: "Familles".into(),
                rows: vec![
                    vec![
                        text("Nom"),
                        text("Prénom"),
                        text("E-mail"),
                        text("Certifié 16+"),
                    ],
                    vec![
                        text("Matrice-Fictive"),
                        text("Lou"),
                        text(&email),
                        text("oui"),
                    ],
                ],
                merges: None,
            };
            let layout = detect_layout(&sheet).unwrap();
            let mapping = suggest(&layout, None);
            let imports = store::families_import::import;
            if command == Command::PreviewFamiliesImport {
                let preview = store::families_import::preview(
                    conn,
                    actor,
                    &sheet,
                    &layout,
                    &mapping,
                    at,
                    &mut |_| {},
                )?;
                assert_eq!(preview.counts.new_people, 1);
            } else {
                let rows =
                    store::families_import::clean_rows(conn, actor, &sheet, &layout, &mapping, at)?;
                let mode = store::families_import::Mode::Apply;
                let report = imports(conn, actor, &rows, mode, at, &mut |_| {})?;
                assert_eq!(report.counts.new_people, 1);
            }
        }
        // Issue 16: October's release, published by the demo seed through
        // the monthly run; the cells the actor reads, counted here from the
        // ROLE table's wording.
        Command::StatisticsMonths | Command::StatisticsMonth | Command::StatisticsExport => {
            use store::statistics::read;
            let sql = if actor.role == Role::Trainer {
                format!(
                    "SELECT c.id AS id FROM stat_cells c JOIN workshop_groups g ON g.id = c.group_id \
                     WHERE c.month = '2026-10' AND c.table_name = 'funnel' AND g.trainer_id = '{me}'"
                )
            } else {
                "SELECT id FROM stat_cells WHERE month = '2026-10'".to_owned()
            };
            let expected = diesel::sql_query(sql).load::<Id>(conn).unwrap().len();
            assert!(expected > 0, "every reader has cells in the release");
            match command {
                Command::StatisticsMonths => {
                    let months = read::months(conn, actor, at)?;
                    let october = months.iter().find(|m| m.month == "2026-10").unwrap();
                    assert_eq!(october.cells as usize, expected);
                }
                Command::StatisticsMonth => {
                    let tables = read::month_tables(conn, actor, "2026-10", at)?;
                    let shown = tables.sections.len()
                        + tables
                            .programmes
                            .iter()
                            .chain(&tables.groups)
                            .map(|f| f.steps.len())
                            .sum::<usize>()
                        + tables
                            .formats
                            .iter()
                            .map(|f| f.measures.len())
                            .sum::<usize>();
                    assert_eq!(shown, expected);
                }
                _ => {
                    let csv = read::export(conn, actor, "2026-10", read::Language::French, at)?;
                    assert_eq!(csv.rows, expected);
                }
            }
        }
        other => panic!("{} is not a workspace command", other.name()),
    }
    Ok(())
}

/// A new account the actor may manage (a trainer for the office, a DPO for
/// the DPO); for the other roles, the gate refuses before the target matters.
fn account_to_manage(
    conn: &mut diesel::SqliteConnection,
    actor: &Actor,
) -> Result<String, StoreError> {
    let role = if actor.role == Role::Dpo {
        Role::Dpo
    } else {
        Role::Trainer
    };
    let username = format!("compte.test.{}", &domain::new_id()[24..]);
    let hash = store::accounts::hash_new_password("Premier mot de passe long", &username)?;
    store::accounts::create(
        conn,
        actor,
        &store::accounts::NewAccount {
            username: &username,
            display_name: "Compte Fictif",
            role,
            password_hash: &hash,
        },
        now(),
    )
}

fn assert_denied<T: std::fmt::Debug>(
    fixture: &mut Fixture,
    actor: &Actor,
    result: Result<T, StoreError>,
    what: &str,
) {
    let error = result.expect_err(what);
    assert_eq!(error.code(), "not_permitted", "{what}: {error}");
    assert!(
        error.to_string().starts_with("not permitted"),
        "{what}: clear message"
    );
    assert!(
        denied_count(fixture, actor) > 0,
        "{what}: the refusal is audited"
    );
}

#[test]
fn role_matrix_every_command_every_role() {
    let mut fixture = common::demo();
    let all_participants: BTreeSet<String> = {
        let mut dpo = fixture.actor("dpo");
        dpo.role = Role::Dpo;
        expected_participants(&mut fixture, &dpo)
    };
    for (username, role) in ACCOUNTS {
        let actor = fixture.actor(username);
        assert_eq!(actor.role, role);
        let in_scope = expected_participants(&mut fixture, &actor);
        let outside: Vec<String> = all_participants.difference(&in_scope).cloned().collect();
        for &command in Command::ALL {
            let expect = expectation(command, role);
            let what = format!("{username} × {}", command.name());
            let conn_now = now();
            match (command, expect) {
                // Sync bookkeeping needs a session but holds no personal data:
                // crates/sync/tests exercise it for every role.
                (
                    Command::SyncStatus
                    | Command::SyncNow
                    | Command::DismissRefusal
                    | Command::CloseFamiliesFile,
                    Expect::Public,
                ) => assert!(!command.is_public(), "{what}"),
                (_, Expect::Public) => assert!(command.is_public(), "{what}"),
                (Command::ListParticipants, Expect::Scoped) => {
                    let rows = store::participants::list_participants(
                        fixture.store.connection(),
                        &actor,
                        None,
                        conn_now,
                    )
                    .unwrap();
                    let seen: BTreeSet<String> = rows.iter().map(|r| r.id.clone()).collect();
                    assert_eq!(seen, in_scope, "{what}: exactly the scope");
                    assert!(
                        !seen.is_empty(),
                        "{what}: the demo gives every role someone"
                    );
                    let phone_visible = rows.iter().any(|r| r.phone.is_some());
                    assert_eq!(
                        phone_visible,
                        role != Role::ExternalTrainer,
                        "{what}: phone only beyond names and e-mails"
                    );
                    if role == Role::ExternalTrainer {
                        assert!(rows.iter().all(|r| r.phone.is_none()));
                    }
                    // Search stays inside the scope too.
                    for other in outside.iter().take(5) {
                        let email: String = store::schema::participants::table
                            .find(other)
                            .select(store::schema::participants::email)
                            .first(fixture.store.connection())
                            .unwrap();
                        let found = store::participants::list_participants(
                            fixture.store.connection(),
                            &actor,
                            Some(&email),
                            conn_now,
                        )
                        .unwrap();
                        assert!(found.is_empty(), "{what}: search reaches outside the scope");
                    }
                }
                (Command::ParticipantProfile, Expect::Scoped) => {
                    for id in &in_scope {
                        let profile = store::participants::participant_profile(
                            fixture.store.connection(),
                            &actor,
                            id,
                            conn_now,
                        )
                        .unwrap();
                        assert_eq!(&profile.id, id);
                        match role {
                            Role::Trainer => {
                                assert!(
                                    profile.objectives.is_some()
                                        && profile.progress_notes.is_some()
                                );
                                assert!(profile
                                    .enrolments
                                    .as_ref()
                                    .unwrap()
                                    .iter()
                                    .all(|e| e.payment_status.is_none()));
                            }
                            Role::Administrator => {
                                assert!(
                                    profile.objectives.is_none(),
                                    "{what}: no objectives for the office"
                                );
                                assert!(profile.progress_notes.is_none());
                                assert!(
                                    profile.family.iter().all(|f| f.challenges.is_none()),
                                    "{what}: age brackets only"
                                );
                                assert!(profile
                                    .enrolments
                                    .as_ref()
                                    .unwrap()
                                    .iter()
                                    .all(|e| e.payment_status.is_some()));
                            }
                            Role::Support => {
                                assert!(
                                    profile.family.is_none()
                                        && profile.objectives.is_none()
                                        && profile.enrolments.is_none()
                                );
                            }
                            Role::Dpo => assert!(profile.questions.is_some()),
                            Role::ExternalTrainer => unreachable!(),
                        }
                    }
                    if let Some(other) = outside.first() {
                        let result = store::participants::participant_profile(
                            fixture.store.connection(),
                            &actor,
                            other,
                            conn_now,
                        );
                        assert_denied(&mut fixture, &actor, result, &what);
                    }
                }
                (Command::ParticipantProfile, Expect::Denied) => {
                    let any = all_participants.iter().next().unwrap().clone();
                    let result = store::participants::participant_profile(
                        fixture.store.connection(),
                        &actor,
                        &any,
                        conn_now,
                    );
                    assert_denied(&mut fixture, &actor, result, &what);
                }
                (Command::ListGroups, Expect::Scoped) => {
                    let rows =
                        store::groups::list_groups(fixture.store.connection(), &actor, conn_now)
                            .unwrap();
                    let seen: BTreeSet<String> = rows.iter().map(|g| g.id.clone()).collect();
                    assert_eq!(seen, expected_groups(&mut fixture, &actor), "{what}");
                    assert!(rows.iter().all(|g| g.confirmed <= g.capacity as i64));
                }
                (Command::ListGroups, Expect::Denied) => {
                    let result =
                        store::groups::list_groups(fixture.store.connection(), &actor, conn_now);
                    assert_denied(&mut fixture, &actor, result, &what);
                }
                (Command::AuditTrail, Expect::Scoped) => {
                    let page = store::audit::trail_page(
                        fixture.store.connection(),
                        &actor,
                        50,
                        0,
                        conn_now,
                    )
                    .unwrap();
                    assert!(page.total > 0 && !page.entries.is_empty());
                    assert!(
                        page.entries.windows(2).all(|w| w[0].seq > w[1].seq),
                        "newest first"
                    );
                }
                (Command::AuditTrail, Expect::Denied) => {
                    let result = store::audit::trail_page(
                        fixture.store.connection(),
                        &actor,
                        50,
                        0,
                        conn_now,
                    );
                    assert_denied(&mut fixture, &actor, result, &what);
                }
                (Command::VerifyAuditChain, Expect::Scoped) => {
                    let result =
                        store::audit::verify_chain(fixture.store.connection(), &actor, conn_now)
                            .unwrap();
                    assert!(result.ok, "{what}: {:?}", result.reason);
                }
                (Command::AuditAlerts, Expect::Scoped) => {
                    // The demo has no alert: the list is empty but readable.
                    let rows =
                        store::audit::alerts(fixture.store.connection(), &actor, conn_now).unwrap();
                    assert!(rows.len() <= 500, "{what}");
                }
                (Command::AuditAlerts, Expect::Denied) => {
                    let result = store::audit::alerts(fixture.store.connection(), &actor, conn_now);
                    assert_denied(&mut fixture, &actor, result, &what);
                }
                (Command::AcknowledgeAlert, Expect::Scoped) => {
                    use store::schema::audit_alerts;
                    let id = domain::new_id();
                    let when = conn_now.naive_utc();
                    diesel::insert_into(audit_alerts::table)
                        .values((
                            audit_alerts::id.eq(&id),
                            audit_alerts::kind.eq("unusual_hours"),
                            audit_alerts::staff_id.eq("staff-test"),
                            audit_alerts::device_id.eq("device-test"),
                            audit_alerts::first_at.eq(when),
                            audit_alerts::last_at.eq(when),
                            audit_alerts::entries.eq(1),
                            audit_alerts::raised_at.eq(when),
                        ))
                        .execute(fixture.store.connection())
                        .unwrap();
                    store::audit::acknowledge_alert(
                        fixture.store.connection(),
                        &actor,
                        &id,
                        conn_now,
                    )
                    .unwrap_or_else(|e| panic!("{what}: {e}"));
                    let rows =
                        store::audit::alerts(fixture.store.connection(), &actor, conn_now).unwrap();
                    assert!(
                        rows.iter().any(|row| row.id == id && row.acknowledged),
                        "{what}: the alert is marked as handled"
                    );
                    let unknown = store::audit::acknowledge_alert(
                        fixture.store.connection(),
                        &actor,
                        "no-such-alert",
                        conn_now,
                    );
                    assert!(
                        matches!(unknown, Err(store::StoreError::NotFound(_))),
                        "{what}: {unknown:?}"
                    );
                }
                (Command::AcknowledgeAlert, Expect::Denied) => {
                    let result = store::audit::acknowledge_alert(
                        fixture.store.connection(),
                        &actor,
                        "no-such-alert",
                        conn_now,
                    );
                    assert_denied(&mut fixture, &actor, result, &what);
                }
                (Command::VerifyAuditChain, Expect::Denied) => {
                    let result =
                        store::audit::verify_chain(fixture.store.connection(), &actor, conn_now);
                    assert_denied(&mut fixture, &actor, result, &what);
                }
                (command, Expect::Scoped) => {
                    run_workspace_command(&mut fixture, &actor, command)
                        .unwrap_or_else(|e| panic!("{what}: {e}"));
                }
                (command, Expect::Denied) => {
                    let result = run_workspace_command(&mut fixture, &actor, command);
                    assert_denied(&mut fixture, &actor, result, &what);
                }
            }
        }
    }
    // After all of it, the chain still verifies.
    assert!(
        store::audit::verify_unchecked(fixture.store.connection())
            .unwrap()
            .ok
    );
}

#[test]
fn role_1_trainers_scopes_are_disjoint_in_the_demo() {
    let mut fixture = common::demo();
    let a = fixture.actor("formatrice.a");
    let b = fixture.actor("formateur.b");
    let seen_a: BTreeSet<String> =
        store::participants::list_participants(fixture.store.connection(), &a, None, now())
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect();
    let seen_b: BTreeSet<String> =
        store::participants::list_participants(fixture.store.connection(), &b, None, now())
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect();
    assert!(!seen_a.is_empty() && !seen_b.is_empty());
    assert!(seen_a.is_disjoint(&seen_b));
}

#[test]
fn role_4_support_loses_access_when_the_assistance_request_expires() {
    let mut fixture = common::demo();
    let support = fixture.actor("support");
    let rows =
        store::participants::list_participants(fixture.store.connection(), &support, None, now())
            .unwrap();
    assert_eq!(rows.len(), 1);
    let later = now() + chrono::Duration::hours(47);
    let rows =
        store::participants::list_participants(fixture.store.connection(), &support, None, later)
            .unwrap();
    assert!(
        rows.is_empty(),
        "48 h after opening, the request has expired"
    );
}

#[test]
fn pol_21_every_row_shown_is_audited_with_a_pseudonymous_id() {
    use store::schema::audit_log;
    let mut fixture = common::demo();
    let a = fixture.actor("formatrice.a");
    let rows = store::participants::list_participants(fixture.store.connection(), &a, None, now())
        .unwrap();
    let audited: Vec<Option<String>> = audit_log::table
        .filter(audit_log::action.eq("participant.list"))
        .filter(audit_log::actor_id.eq(a.staff_id.as_str()))
        .select(audit_log::participant_id)
        .load(fixture.store.connection())
        .unwrap();
    let audited: BTreeSet<String> = audited.into_iter().flatten().collect();
    let shown: BTreeSet<String> = rows.iter().map(|r| r.id.clone()).collect();
    assert_eq!(audited, shown);
    // No name or e-mail anywhere in the trail.
    let trail: Vec<(String, String, Option<String>)> = audit_log::table
        .select((
            audit_log::actor_id,
            audit_log::action,
            audit_log::participant_id,
        ))
        .load(fixture.store.connection())
        .unwrap();
    let text = format!("{trail:?}");
    for needle in &fixture.summary.personal_strings {
        assert!(!text.contains(needle.as_str()));
    }
}
