//! Outbound messages through SMTP (POL-13, POL-22, POL-26, DC-5): the
//! server's store, `server::mail::deliver_once`, and the real binary, against
//! an SMTP sink on loopback written here (it speaks just enough SMTP and
//! advertises no extension, so a message that is not plain 7-bit is refused
//! by the client before it leaves).

use chrono::{DateTime, Duration as Age, Utc};
use diesel::prelude::*;
use domain::messages::Template;
use domain::{Actor, Role, StaffId};
use server::mail::{self, codes, MailError, Mailer, MailerConfig, Report, TlsMode};
use server::testing::TestServer;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use store::messages::MessageContext;
use store::schema::{outbox_messages, participants, sessions, staff, sync_changes};
use store::Store;

const BIN: &str = env!("CARGO_BIN_EXE_moniravique-server");
const FROM: &str = "moniravique <ne-pas-repondre@moniravique.example>";
const SUBJECT: &str =
    "Rappel : séance « Écrans et sommeil : trouver l'équilibre en famille » — jeudi 3 décembre à 18 h 30";
const BODY: &str =
    "Bonjour Élodie,\n\nNous vous rappelons la séance « Écrans et sommeil » du jeudi 3 décembre.\n\
                    .Une ligne qui commence par un point.\n\nÀ bientôt,\nL'équipe moniravique";

// ---------------------------------------------------------------- the sink

/// How the sink answers `RCPT TO`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Accept,
    /// Answer this code to `RCPT TO` (451, 550...).
    RejectRcpt(u16),
    /// Accept, but wait for [`Sink::release`] before answering the data.
    HoldData,
}

#[derive(Clone, Debug)]
struct Received {
    mail_from: String,
    rcpt_to: Vec<String>,
    /// The message as sent, dot-stuffing removed, CRLF line endings.
    data: String,
}

#[derive(Default)]
struct SinkState {
    mode: Option<Mode>,
    received: Vec<Received>,
    rcpt_attempts: usize,
    data_started: Option<Sender<()>>,
    release: Option<Receiver<()>>,
}

struct Sink {
    port: u16,
    state: Arc<Mutex<SinkState>>,
}

impl Sink {
    fn start(mode: Mode) -> Sink {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(SinkState {
            mode: Some(mode),
            ..SinkState::default()
        }));
        let shared = Arc::clone(&state);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let state = Arc::clone(&shared);
                std::thread::spawn(move || {
                    let _ = session(stream, &state);
                });
            }
        });
        Sink { port, state }
    }

    fn set_mode(&self, mode: Mode) {
        self.state.lock().unwrap().mode = Some(mode);
    }

    fn received(&self) -> Vec<Received> {
        self.state.lock().unwrap().received.clone()
    }

    fn rcpt_attempts(&self) -> usize {
        self.state.lock().unwrap().rcpt_attempts
    }

    /// For [`Mode::HoldData`]: a receiver told when the data arrive, and the
    /// sender that lets the sink answer.
    fn hold(&self) -> (Receiver<()>, Sender<()>) {
        let (started_tx, started_rx) = mpsc::channel();
        let (release_tx, release_rx) = mpsc::channel();
        let mut state = self.state.lock().unwrap();
        state.data_started = Some(started_tx);
        state.release = Some(release_rx);
        state.mode = Some(Mode::HoldData);
        (started_rx, release_tx)
    }

    /// Waits until `count` messages arrived (at most `limit`).
    fn wait_for(&self, count: usize, limit: Duration) -> Vec<Received> {
        let start = Instant::now();
        loop {
            let got = self.received();
            if got.len() >= count || start.elapsed() > limit {
                return got;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

fn session(stream: TcpStream, state: &Mutex<SinkState>) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut out = stream.try_clone()?;
    let mut lines = BufReader::new(stream);
    out.write_all(b"220 sink.test ESMTP test sink\r\n")?;
    let mut mail_from = String::new();
    let mut rcpt_to = Vec::new();
    loop {
        let mut line = String::new();
        if lines.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_owned();
        let verb = command
            .split([' ', ':'])
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        match verb.as_str() {
            "EHLO" | "HELO" => out.write_all(b"250-sink.test\r\n250 HELP\r\n")?,
            "MAIL" => {
                mail_from = command["MAIL FROM:".len()..].to_owned();
                rcpt_to.clear();
                out.write_all(b"250 OK\r\n")?;
            }
            "RCPT" => {
                let mode = {
                    let mut state = state.lock().unwrap();
                    state.rcpt_attempts += 1;
                    state.mode.unwrap()
                };
                match mode {
                    Mode::RejectRcpt(code) => {
                        write!(out, "{code} the sink refuses this recipient\r\n")?;
                    }
                    _ => {
                        rcpt_to.push(command["RCPT TO:".len()..].to_owned());
                        out.write_all(b"250 OK\r\n")?;
                    }
                }
            }
            "DATA" => {
                out.write_all(b"354 end with <CRLF>.<CRLF>\r\n")?;
                let mut data = String::new();
                loop {
                    let mut line = String::new();
                    if lines.read_line(&mut line)? == 0 {
                        return Ok(());
                    }
                    if line == ".\r\n" {
                        break;
                    }
                    data.push_str(line.strip_prefix('.').unwrap_or(&line));
                }
                let (started, release) = {
                    let mut state = state.lock().unwrap();
                    if state.mode == Some(Mode::HoldData) {
                        (state.data_started.take(), state.release.take())
                    } else {
                        (None, None)
                    }
                };
                if let Some(started) = started {
                    let _ = started.send(());
                }
                if let Some(release) = release {
                    let _ = release.recv_timeout(Duration::from_secs(20));
                }
                state.lock().unwrap().received.push(Received {
                    mail_from: mail_from.clone(),
                    rcpt_to: rcpt_to.clone(),
                    data,
                });
                out.write_all(b"250 queued\r\n")?;
            }
            "RSET" | "NOOP" => out.write_all(b"250 OK\r\n")?,
            "QUIT" => {
                out.write_all(b"221 bye\r\n")?;
                return Ok(());
            }
            _ => out.write_all(b"500 unknown command\r\n")?,
        }
    }
}

// ------------------------------------------------------ decoding a message

fn base64(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for byte in text.bytes() {
        let Some(value) = ALPHABET.iter().position(|b| *b == byte) else {
            continue; // '=', whitespace
        };
        acc = (acc << 6) | value as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

fn hex_byte(pair: &[u8]) -> Option<u8> {
    u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()
}

/// Quoted-printable (RFC 2045; `q_words`: the RFC 2047 "Q" variant).
fn quoted_printable(text: &str, q_words: bool) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'=' if bytes[i + 1..].starts_with(b"\r\n") => i += 3,
            b'=' if i + 2 < bytes.len() + 1 && hex_byte(&bytes[i + 1..i + 3]).is_some() => {
                out.push(hex_byte(&bytes[i + 1..i + 3]).unwrap());
                i += 3;
            }
            b'_' if q_words => {
                out.push(b' ');
                i += 1;
            }
            other => {
                out.push(other);
                i += 1;
            }
        }
    }
    out
}

/// Headers (unfolded) and body of a received message.
fn split(data: &str) -> (Vec<(String, String)>, String) {
    let (head, body) = data
        .split_once("\r\n\r\n")
        .expect("headers, blank line, body");
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.split("\r\n") {
        if line.starts_with([' ', '\t']) {
            headers
                .last_mut()
                .expect("a header before")
                .1
                .push_str(line);
        } else {
            let (name, value) = line.split_once(':').expect("name: value");
            headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    (headers, body.to_owned())
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> &'a str {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no {name} header"))
}

/// RFC 2047: `=?utf-8?b?...?=` / `=?utf-8?q?...?=` words (whitespace between
/// two words dropped) and plain text.
fn decode_words(value: &str) -> String {
    let mut out = Vec::new();
    let mut rest = value;
    let mut after_word = false;
    while !rest.is_empty() {
        match rest.find("=?") {
            Some(start) => {
                let gap = &rest[..start];
                if !(after_word && gap.trim().is_empty()) {
                    out.extend_from_slice(gap.as_bytes());
                }
                let word = &rest[start + 2..];
                let mut parts = word.splitn(3, '?');
                let _charset = parts.next().unwrap();
                let encoding = parts.next().unwrap().to_ascii_lowercase();
                let tail = parts.next().unwrap();
                let end = tail.find("?=").expect("end of an encoded word");
                let text = &tail[..end];
                out.extend(match encoding.as_str() {
                    "b" => base64(text),
                    _ => quoted_printable(text, true),
                });
                rest = &tail[end + 2..];
                after_word = true;
            }
            None => {
                out.extend_from_slice(rest.as_bytes());
                rest = "";
            }
        }
    }
    String::from_utf8(out).expect("UTF-8")
}

fn decoded_body(headers: &[(String, String)], body: &str) -> String {
    let bytes = match header(headers, "content-transfer-encoding")
        .to_ascii_lowercase()
        .as_str()
    {
        "base64" => base64(body),
        "quoted-printable" => quoted_printable(body, false),
        _ => body.as_bytes().to_vec(),
    };
    let text = String::from_utf8(bytes)
        .expect("UTF-8")
        .replace("\r\n", "\n");
    // The last line's CRLF is the one of SMTP's `CRLF.CRLF` (RFC 5321 4.1.1.4).
    text.strip_suffix('\n').unwrap_or(&text).to_owned()
}

// ------------------------------------------------------ the server's store

struct Fixture {
    _dir: tempfile::TempDir,
    store: Mutex<Store>,
}

fn now() -> DateTime<Utc> {
    Utc::now()
}

/// A server store (`init`, marked as the server's, demo data), in-process.
fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let key_file = dir.path().join("server.key");
    server::admin::init(&data, &key_file).unwrap();
    let key = server::keys::load(Some(&key_file)).unwrap();
    let mut store = server::admin::open_existing(&data, &key).unwrap();
    server::admin::seed_demo(&mut store, now()).unwrap();
    Fixture {
        _dir: dir,
        store: Mutex::new(store),
    }
}

fn office(store: &mut Store) -> Actor {
    let id: String = staff::table
        .filter(staff::username.eq("admin.lemans"))
        .select(staff::id)
        .first(store.connection())
        .unwrap();
    Actor::new(StaffId(id), Role::Administrator, store.device().clone())
}

/// (participant id, e-mail) of the `n`-th participant by id.
fn person(store: &mut Store, n: i64) -> (String, String) {
    participants::table
        .order(participants::id)
        .offset(n)
        .select((participants::id, participants::email))
        .first(store.connection())
        .unwrap()
}

/// A new group whose only confirmed member is `participant` (messages are
/// queued per group, POL-13): the tests then follow exactly one message.
fn group_of_one(store: &mut Store, participant: &str) -> String {
    use store::schema::{enrolments, workshop_groups};
    let (programme, trainer): (String, String) = workshop_groups::table
        .select((workshop_groups::programme_id, workshop_groups::trainer_id))
        .first(store.connection())
        .unwrap();
    let group = domain::new_id();
    let at = (now() - Age::days(1)).naive_utc();
    diesel::insert_into(workshop_groups::table)
        .values((
            workshop_groups::id.eq(&group),
            workshop_groups::programme_id.eq(&programme),
            workshop_groups::name.eq("Groupe d'essai (une personne)"),
            workshop_groups::trainer_id.eq(&trainer),
            workshop_groups::capacity.eq(12),
            workshop_groups::schedule.eq("mardi 18 h"),
            workshop_groups::slot.eq("evening"),
            workshop_groups::updated_at.eq(at),
            workshop_groups::updated_device.eq("test"),
        ))
        .execute(store.connection())
        .unwrap();
    diesel::insert_into(enrolments::table)
        .values((
            enrolments::id.eq(domain::new_id()),
            enrolments::participant_id.eq(participant),
            enrolments::programme_id.eq(&programme),
            enrolments::group_id.eq(&group),
            enrolments::status.eq("confirmed"),
            enrolments::available_slots.eq("[]"),
            enrolments::requested_at.eq(at),
            enrolments::updated_at.eq(at),
            enrolments::updated_device.eq("test"),
        ))
        .execute(store.connection())
        .unwrap();
    group
}

/// A queued row as the laptops' outbox writes it, with our own subject and body.
fn queue_raw(store: &mut Store, participant: &str, template: &str) -> String {
    let actor = office(store);
    let id = domain::new_id();
    let at = (now() - Age::minutes(5)).naive_utc();
    diesel::insert_into(outbox_messages::table)
        .values((
            outbox_messages::id.eq(&id),
            outbox_messages::participant_id.eq(participant),
            outbox_messages::template.eq(template),
            outbox_messages::subject.eq(SUBJECT),
            outbox_messages::body.eq(BODY),
            outbox_messages::queued_at.eq(at),
            outbox_messages::queued_by.eq(actor.staff_id.as_str()),
            outbox_messages::updated_at.eq(at),
            outbox_messages::updated_device.eq("laptop-of-the-office"),
        ))
        .execute(store.connection())
        .unwrap();
    id
}

#[derive(Debug, PartialEq, Eq)]
struct Row {
    status: String,
    attempts: i32,
    error: Option<String>,
    updated_device: String,
}

fn row(store: &Mutex<Store>, id: &str) -> Row {
    let (status, attempts, error, updated_device) = outbox_messages::table
        .find(id)
        .select((
            outbox_messages::status,
            outbox_messages::delivery_attempts,
            outbox_messages::delivery_error,
            outbox_messages::updated_device,
        ))
        .first::<(String, i32, Option<String>, String)>(store.lock().unwrap().connection())
        .unwrap();
    Row {
        status,
        attempts,
        error,
        updated_device,
    }
}

fn mailer(port: u16) -> Mailer {
    Mailer::new(MailerConfig {
        host: "127.0.0.1".into(),
        port: Some(port),
        tls: TlsMode::None,
        from: FROM.into(),
        username: None,
        password: None,
        batch_size: mail::DEFAULT_BATCH,
    })
    .unwrap()
}

fn report(sent: usize, failed: usize, cancelled: usize) -> Report {
    Report {
        sent,
        failed,
        cancelled,
        deferred: 0,
    }
}

fn last_change_seq(store: &Mutex<Store>, participant: &str) -> Option<i64> {
    sync_changes::table
        .filter(sync_changes::subject_id.eq(participant))
        .filter(sync_changes::entity.eq("outbox_messages"))
        .select(diesel::dsl::max(sync_changes::seq))
        .first::<Option<i64>>(store.lock().unwrap().connection())
        .unwrap()
}

// ------------------------------------------------------------------ tests

#[test]
fn pol_13_queued_reminder_is_delivered_and_marked_sent() {
    let f = fixture();
    let sink = Sink::start(Mode::Accept);
    let (participant, email) = person(&mut f.store.lock().unwrap(), 0);
    let id = queue_raw(
        &mut f.store.lock().unwrap(),
        &participant,
        "webinar_reminder",
    );
    let before = last_change_seq(&f.store, &participant);

    let done = mail::deliver_once(&f.store, &mailer(sink.port), now()).unwrap();
    assert_eq!(done, report(1, 0, 0));

    let got = sink.received();
    assert_eq!(got.len(), 1);
    let message = &got[0];
    assert_eq!(message.rcpt_to, [format!("<{email}>")]);
    assert_eq!(message.mail_from, "<ne-pas-repondre@moniravique.example>");
    assert!(message.data.is_ascii(), "7-bit on the wire");
    let (headers, body) = split(&message.data);
    assert_eq!(decode_words(header(&headers, "subject")), SUBJECT);
    assert_eq!(header(&headers, "to"), email);
    assert_eq!(
        header(&headers, "content-type").to_ascii_lowercase(),
        "text/plain; charset=utf-8"
    );
    assert_eq!(
        header(&headers, "message-id"),
        format!("<{id}@moniravique.example>")
    );
    assert_eq!(decoded_body(&headers, &body), BODY);

    let sent = row(&f.store, &id);
    let device = f.store.lock().unwrap().device().as_str().to_owned();
    assert_eq!(
        sent,
        Row {
            status: "sent".into(),
            attempts: 1,
            error: None,
            updated_device: device,
        }
    );
    assert!(
        last_change_seq(&f.store, &participant) > before,
        "the change log carries the delivery to the laptops (DC-5)"
    );

    // No duplicate: a second round, even much later, sends nothing.
    let again = mail::deliver_once(&f.store, &mailer(sink.port), now() + Age::days(1)).unwrap();
    assert_eq!(again, Report::default());
    assert_eq!(sink.received().len(), 1);
}

#[test]
fn pol_13_a_queued_confirmation_from_the_store_is_sent_in_french() {
    let f = fixture();
    let sink = Sink::start(Mode::Accept);
    let (participant, email, group) = {
        let mut store = f.store.lock().unwrap();
        let (participant, email) = person(&mut store, 1);
        let group = group_of_one(&mut store, &participant);
        (participant, email, group)
    };
    let (subject, body) = {
        let mut store = f.store.lock().unwrap();
        let actor = office(&mut store);
        let context = MessageContext {
            group: Some(&group),
            ..MessageContext::default()
        };
        let queued = store::messages::queue(
            store.connection(),
            &actor,
            Template::RegistrationConfirmation,
            &group,
            &context,
            now(),
        )
        .unwrap();
        assert_eq!(queued.queued, 1);
        outbox_messages::table
            .filter(outbox_messages::participant_id.eq(&participant))
            .select((outbox_messages::subject, outbox_messages::body))
            .first::<(String, String)>(store.connection())
            .unwrap()
    };
    assert_eq!(
        mail::deliver_once(&f.store, &mailer(sink.port), now()).unwrap(),
        report(1, 0, 0)
    );
    let got = sink.received();
    let (headers, raw) = split(&got[0].data);
    assert_eq!(got[0].rcpt_to, [format!("<{email}>")]);
    assert_eq!(decode_words(header(&headers, "subject")), subject);
    let text = decoded_body(&headers, &raw);
    assert_eq!(text, body);
    assert!(text.contains("À bientôt"));
}

#[test]
fn pol_13_a_451_answer_is_retried_later_and_then_delivered() {
    let f = fixture();
    let sink = Sink::start(Mode::RejectRcpt(451));
    let (participant, _) = person(&mut f.store.lock().unwrap(), 2);
    let id = queue_raw(
        &mut f.store.lock().unwrap(),
        &participant,
        "webinar_reminder",
    );
    let t0 = now();

    assert_eq!(
        mail::deliver_once(&f.store, &mailer(sink.port), t0).unwrap(),
        report(0, 1, 0)
    );
    let failed = row(&f.store, &id);
    assert_eq!(
        (
            failed.status.as_str(),
            failed.attempts,
            failed.error.as_deref()
        ),
        ("queued", 1, Some(codes::SMTP_TRANSIENT))
    );
    assert!(sink.received().is_empty());

    // Healthy again, but the retry waits its delay (1 minute after a first failure).
    sink.set_mode(Mode::Accept);
    assert_eq!(
        mail::deliver_once(&f.store, &mailer(sink.port), t0 + Age::seconds(20)).unwrap(),
        Report::default()
    );
    assert_eq!(sink.rcpt_attempts(), 1);
    assert_eq!(
        mail::deliver_once(&f.store, &mailer(sink.port), t0 + Age::minutes(2)).unwrap(),
        report(1, 0, 0)
    );
    assert_eq!(sink.received().len(), 1);
    let sent = row(&f.store, &id);
    assert_eq!(
        (sent.status.as_str(), sent.attempts, sent.error),
        ("sent", 2, None)
    );
}

#[test]
fn pol_13_transient_failures_stop_after_five_attempts_with_a_final_code() {
    let f = fixture();
    let sink = Sink::start(Mode::RejectRcpt(421));
    let (participant, _) = person(&mut f.store.lock().unwrap(), 3);
    let id = queue_raw(
        &mut f.store.lock().unwrap(),
        &participant,
        "webinar_reminder",
    );
    let mut at = now();
    for attempt in 1..=mail::MAX_ATTEMPTS {
        assert_eq!(
            mail::deliver_once(&f.store, &mailer(sink.port), at).unwrap(),
            report(0, 1, 0),
            "attempt {attempt}"
        );
        at += Age::hours(5);
    }
    let given_up = row(&f.store, &id);
    assert_eq!(given_up.attempts, mail::MAX_ATTEMPTS);
    assert_eq!(given_up.error.as_deref(), Some(codes::RETRIES_EXHAUSTED));
    assert_eq!(given_up.status, "queued");
    sink.set_mode(Mode::Accept);
    assert_eq!(
        mail::deliver_once(&f.store, &mailer(sink.port), at + Age::days(30)).unwrap(),
        Report::default()
    );
    assert!(sink.received().is_empty());
    assert_eq!(sink.rcpt_attempts(), mail::MAX_ATTEMPTS as usize);
}

#[test]
fn pol_13_a_550_answer_is_final() {
    let f = fixture();
    let sink = Sink::start(Mode::RejectRcpt(550));
    let (participant, _) = person(&mut f.store.lock().unwrap(), 4);
    let id = queue_raw(
        &mut f.store.lock().unwrap(),
        &participant,
        "webinar_reminder",
    );
    assert_eq!(
        mail::deliver_once(&f.store, &mailer(sink.port), now()).unwrap(),
        report(0, 1, 0)
    );
    let failed = row(&f.store, &id);
    assert_eq!(
        (
            failed.status.as_str(),
            failed.attempts,
            failed.error.as_deref()
        ),
        ("queued", 1, Some(codes::SMTP_PERMANENT))
    );
    sink.set_mode(Mode::Accept);
    for later in [Age::minutes(2), Age::hours(5), Age::days(7)] {
        assert_eq!(
            mail::deliver_once(&f.store, &mailer(sink.port), now() + later).unwrap(),
            Report::default()
        );
    }
    assert_eq!(sink.rcpt_attempts(), 1, "never attempted again");
    assert!(sink.received().is_empty());
}

#[test]
fn pol_13_pol_26_a_suggestion_to_a_person_who_objected_after_queueing_is_cancelled() {
    let f = fixture();
    let sink = Sink::start(Mode::Accept);
    let (objector, _) = person(&mut f.store.lock().unwrap(), 5);
    let (unsubscribed, _) = person(&mut f.store.lock().unwrap(), 6);
    let (willing, willing_email): (String, String) = participants::table
        .filter(participants::objects_to_suggestions.eq(false))
        .filter(participants::marketing_opt_out.eq(false))
        .filter(participants::id.ne(&objector))
        .filter(participants::id.ne(&unsubscribed))
        .select((participants::id, participants::email))
        .first(f.store.lock().unwrap().connection())
        .unwrap();
    let (suggestion, to_unsubscribed, reminder, to_willing) = {
        let mut store = f.store.lock().unwrap();
        (
            queue_raw(&mut store, &objector, "module_suggestion"),
            queue_raw(&mut store, &unsubscribed, "module_suggestion"),
            queue_raw(&mut store, &objector, "webinar_reminder"),
            queue_raw(&mut store, &willing, "module_suggestion"),
        )
    };
    // After queueing: one objects to suggestions, one unsubscribes from marketing.
    {
        let mut store = f.store.lock().unwrap();
        diesel::update(participants::table.find(&objector))
            .set(participants::objects_to_suggestions.eq(true))
            .execute(store.connection())
            .unwrap();
        diesel::update(participants::table.find(&unsubscribed))
            .set(participants::marketing_opt_out.eq(true))
            .execute(store.connection())
            .unwrap();
    }
    let done = mail::deliver_once(&f.store, &mailer(sink.port), now()).unwrap();
    assert_eq!(
        done,
        report(2, 0, 2),
        "the reminder serves the contract and goes"
    );

    let cancelled = row(&f.store, &suggestion);
    assert_eq!(
        (cancelled.status.as_str(), cancelled.error.as_deref()),
        ("cancelled", Some(codes::OBJECTED))
    );
    assert_eq!(cancelled.attempts, 0, "never attempted");
    let cancelled = row(&f.store, &to_unsubscribed);
    assert_eq!(
        (cancelled.status.as_str(), cancelled.error.as_deref()),
        ("cancelled", Some(codes::UNSUBSCRIBED))
    );
    assert_eq!(row(&f.store, &reminder).status, "sent");
    assert_eq!(row(&f.store, &to_willing).status, "sent");
    let recipients: Vec<String> = sink
        .received()
        .iter()
        .flat_map(|m| m.rcpt_to.clone())
        .collect();
    assert!(recipients.contains(&format!("<{willing_email}>")));
    let (objector_email, unsubscribed_email): (String, String) = {
        let mut store = f.store.lock().unwrap();
        let email = |id: &str, store: &mut Store| -> String {
            participants::table
                .find(id)
                .select(participants::email)
                .first(store.connection())
                .unwrap()
        };
        (
            email(&objector, &mut store),
            email(&unsubscribed, &mut store),
        )
    };
    assert!(
        sink.received()
            .iter()
            .all(|m| !m.data.contains(&suggestion) && !m.data.contains(&to_unsubscribed)),
        "no cancelled message left (their ids are in the Message-ID)"
    );
    assert!(!recipients.contains(&format!("<{unsubscribed_email}>")));
    assert_eq!(
        recipients
            .iter()
            .filter(|r| **r == format!("<{objector_email}>"))
            .count(),
        1,
        "the objector gets the reminder only"
    );
    // A later round cancels nothing more and sends nothing more.
    assert_eq!(
        mail::deliver_once(&f.store, &mailer(sink.port), now() + Age::days(1)).unwrap(),
        Report::default()
    );
}

#[test]
fn pol_13_a_person_without_an_address_gets_a_final_code_not_endless_retries() {
    let f = fixture();
    let sink = Sink::start(Mode::Accept);
    let (participant, _) = person(&mut f.store.lock().unwrap(), 8);
    let id = queue_raw(
        &mut f.store.lock().unwrap(),
        &participant,
        "webinar_reminder",
    );
    diesel::update(participants::table.find(&participant))
        .set(participants::email.eq(""))
        .execute(f.store.lock().unwrap().connection())
        .unwrap();
    assert_eq!(
        mail::deliver_once(&f.store, &mailer(sink.port), now()).unwrap(),
        report(0, 1, 0)
    );
    let failed = row(&f.store, &id);
    assert_eq!(
        (
            failed.status.as_str(),
            failed.attempts,
            failed.error.as_deref()
        ),
        ("queued", 1, Some(codes::NO_ADDRESS))
    );
    assert_eq!(
        mail::deliver_once(&f.store, &mailer(sink.port), now() + Age::days(1)).unwrap(),
        Report::default()
    );
    assert_eq!(sink.rcpt_attempts(), 0);
}

#[test]
fn pol_13_an_unreachable_smtp_server_charges_no_attempt() {
    let f = fixture();
    let (participant, _) = person(&mut f.store.lock().unwrap(), 9);
    let id = queue_raw(
        &mut f.store.lock().unwrap(),
        &participant,
        "webinar_reminder",
    );
    // A port nobody listens on.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let error = mail::deliver_once(&f.store, &mailer(port), now()).unwrap_err();
    assert!(matches!(error, MailError::Unreachable(_)), "{error:?}");
    assert_eq!(error.code(), codes::CONNECTION);
    let untouched = row(&f.store, &id);
    assert_eq!(
        (
            untouched.status.as_str(),
            untouched.attempts,
            untouched.error
        ),
        ("queued", 0, None)
    );
    // TLS expected, plain SMTP found: refused, nothing sent in clear.
    let sink = Sink::start(Mode::Accept);
    let wrapped = Mailer::new(MailerConfig {
        host: "127.0.0.1".into(),
        port: Some(sink.port),
        tls: TlsMode::Tls,
        from: FROM.into(),
        username: None,
        password: None,
        batch_size: 10,
    })
    .unwrap();
    assert!(matches!(
        mail::deliver_once(&f.store, &wrapped, now()),
        Err(MailError::Unreachable(_))
    ));
    assert!(sink.received().is_empty());
    assert_eq!(row(&f.store, &id).attempts, 0);
}

#[test]
fn pol_13_the_store_lock_is_not_held_while_talking_to_smtp() {
    let f = fixture();
    let sink = Sink::start(Mode::Accept);
    let (participant, _) = person(&mut f.store.lock().unwrap(), 10);
    let id = queue_raw(
        &mut f.store.lock().unwrap(),
        &participant,
        "webinar_reminder",
    );
    let (started, release) = sink.hold();
    let store = Arc::new(f.store);
    let round = {
        let store = Arc::clone(&store);
        let mailer = mailer(sink.port);
        std::thread::spawn(move || mail::deliver_once(&store, &mailer, now()))
    };
    started
        .recv_timeout(Duration::from_secs(20))
        .expect("the message reaches the sink");
    // The SMTP server has the message and has not answered: the store is free.
    {
        let guard = store
            .try_lock()
            .expect("the store lock is free during SMTP");
        drop(guard);
    }
    assert_eq!(row(&store, &id).status, "queued");
    release.send(()).unwrap();
    assert_eq!(round.join().unwrap().unwrap(), report(1, 0, 0));
    assert_eq!(row(&store, &id).status, "sent");
}

// --------------------------------------------------------- the real binary

fn smtp_args(port: &str) -> Vec<&str> {
    vec![
        "--smtp-host",
        "127.0.0.1",
        "--smtp-port",
        port,
        "--smtp-tls",
        "none",
        "--smtp-from",
        FROM,
    ]
}

/// Queues a webinar reminder for the `n`-th participant on the server's
/// store, as the office's laptop would have through sync; (message id,
/// e-mail, given name, family name, subject).
fn queue_on_server(server: &TestServer, n: i64) -> (String, String, String, String, String) {
    let mut store = server.open_store();
    let (participant, email) = person(&mut store, n);
    let (given, family): (String, String) = participants::table
        .find(&participant)
        .select((participants::given_name, participants::family_name))
        .first(store.connection())
        .unwrap();
    let session: String = sessions::table
        .select(sessions::id)
        .first(store.connection())
        .unwrap();
    let group = group_of_one(&mut store, &participant);
    let actor = office(&mut store);
    let context = MessageContext {
        session: Some(&session),
        ..MessageContext::default()
    };
    store::messages::queue(
        store.connection(),
        &actor,
        Template::WebinarReminder,
        &group,
        &context,
        now(),
    )
    .unwrap();
    let (id, subject): (String, String) = outbox_messages::table
        .filter(outbox_messages::participant_id.eq(&participant))
        .select((outbox_messages::id, outbox_messages::subject))
        .first(store.connection())
        .unwrap();
    (id, email, given, family, subject)
}

fn wait_for_status(server: &TestServer, id: &str, status: &str) -> bool {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(30) {
        let now_status: String = outbox_messages::table
            .find(id)
            .select(outbox_messages::status)
            .first(server.open_store().connection())
            .unwrap();
        if now_status == status {
            return true;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    false
}

#[test]
fn pol_13_pol_22_serve_delivers_queued_messages_and_logs_no_address_or_subject() {
    let sink = Sink::start(Mode::Accept);
    let port = sink.port.to_string();
    let mut args = smtp_args(&port);
    args.extend(["--smtp-interval-secs", "1"]);
    let server = TestServer::start_with(BIN, true, &args);
    let (id, email, given, family, subject) = queue_on_server(&server, 0);

    let got = sink.wait_for(1, Duration::from_secs(30));
    assert_eq!(got.len(), 1, "the serving loop delivered the message");
    assert_eq!(got[0].rcpt_to, [format!("<{email}>")]);
    let (headers, _) = split(&got[0].data);
    assert_eq!(decode_words(header(&headers, "subject")), subject);
    assert!(wait_for_status(&server, &id, "sent"));

    // One delivery only, however many rounds run.
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(sink.received().len(), 1);

    let log = server.log();
    assert!(log.contains("mail delivery on"), "{log}");
    assert!(
        log.contains(&format!("outbox_id={id}")),
        "the log names the message by its id: {log}"
    );
    for secret in [&email, &subject, &given, &family] {
        assert!(
            !log.contains(secret.as_str()),
            "the log leaks personal data"
        );
    }
    assert!(!log.contains('@'), "no address at all in the log: {log}");

    // One sender per data directory: a `deliver-mail` while `serve` delivers
    // is refused and sends nothing.
    let mut one_shot = vec!["deliver-mail"];
    one_shot.extend(smtp_args(&port));
    let refused = server.admin(&one_shot, "");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(stderr.contains("another mail delivery runs"), "{stderr}");
    assert!(stderr.contains("[busy]"), "{stderr}");
    assert_eq!(sink.received().len(), 1);
}

#[test]
fn pol_13_deliver_mail_sends_once_and_serve_without_smtp_host_sends_nothing() {
    let sink = Sink::start(Mode::Accept);
    let server = TestServer::start_with(BIN, true, &[]);
    let (id, email, ..) = queue_on_server(&server, 1);
    std::thread::sleep(Duration::from_secs(2));
    assert!(sink.received().is_empty());
    assert!(server.log().contains("mail delivery off"));

    let port = sink.port.to_string();
    let mut args = vec!["deliver-mail"];
    args.extend(smtp_args(&port));
    let output = server.admin(&args, "");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(
        stdout.trim(),
        "sent 1, failed 0, cancelled 0, deferred 0",
        "{stderr}"
    );
    assert!(!stderr.contains(&email) && !stderr.contains('@'));
    let got = sink.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].rcpt_to, [format!("<{email}>")]);
    assert!(wait_for_status(&server, &id, "sent"));

    let again = server.admin(&args, "");
    assert_eq!(
        String::from_utf8_lossy(&again.stdout).trim(),
        "sent 0, failed 0, cancelled 0, deferred 0"
    );
    assert_eq!(sink.received().len(), 1);
}

#[test]
fn pol_17_plain_smtp_to_a_remote_host_and_a_password_argument_are_refused() {
    let server = TestServer::start_with(BIN, false, &[]);
    let refused = server.admin(
        &[
            "deliver-mail",
            "--smtp-host",
            "smtp.example.org",
            "--smtp-tls",
            "none",
            "--smtp-from",
            FROM,
        ],
        "",
    );
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--smtp-tls none"));
    let refused = server.admin(&["deliver-mail", "--smtp-password", "secret"], "");
    assert_eq!(refused.status.code(), Some(2));
}
