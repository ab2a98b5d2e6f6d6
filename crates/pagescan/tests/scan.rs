//! End-to-end tests of `pagescan` on real SQLCipher databases written by the
//! same SQLCipher build the app links (diesel over libsqlite3-sys
//! `bundled-sqlcipher`). All personal data here is fictional.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;
use pagescan::{scan, wal_path_of, FileKind, Hit, Needle, Report, ScanError, PAGE_SIZE};
use std::path::{Path, PathBuf};

const NAME: &str = "Zorglubine Testafamille";
const EMAIL: &str = "zorglubine@example.invalid";
const PHONE: &str = "+33 6 98 76 54 32";

fn random_key() -> [u8; 32] {
    rand::random()
}

/// Opens (creating) an encrypted database the way the app does.
fn open(path: &Path, key: &[u8; 32], secure_delete: bool) -> SqliteConnection {
    let mut conn = SqliteConnection::establish(path.to_str().unwrap()).unwrap();
    conn.batch_execute(&format!("PRAGMA key = \"x'{}'\";", hex::encode(key)))
        .unwrap();
    conn.batch_execute("SELECT count(*) FROM sqlite_master;")
        .unwrap();
    conn.batch_execute(&format!(
        "PRAGMA cipher_memory_security = OFF;
         PRAGMA journal_mode = WAL;
         PRAGMA wal_autocheckpoint = 0;
         PRAGMA secure_delete = {};",
        if secure_delete { "ON" } else { "OFF" }
    ))
    .unwrap();
    conn
}

fn checkpoint(conn: &mut SqliteConnection) {
    conn.batch_execute("PRAGMA wal_checkpoint(TRUNCATE);")
        .unwrap();
}

struct Db {
    _dir: tempfile::TempDir,
    path: PathBuf,
    key: [u8; 32],
}

fn new_db() -> Db {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    Db {
        _dir: dir,
        path,
        key: random_key(),
    }
}

const SCHEMA: &str = "CREATE TABLE people (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    phone TEXT NOT NULL,
    notes TEXT NOT NULL
);";

/// Inserts the person to erase, and `fillers` other (also fictional) people
/// with `notes_len` bytes of notes each.
fn populate(conn: &mut SqliteConnection, fillers: usize, notes_len: usize) {
    conn.batch_execute(SCHEMA).unwrap();
    let mut sql = String::from("BEGIN;");
    for i in 0..fillers / 2 {
        sql.push_str(&filler_insert(i, notes_len));
    }
    sql.push_str(&format!(
        "INSERT INTO people (name, email, phone, notes) VALUES ('{NAME}', '{EMAIL}', '{PHONE}', 'Met {NAME} twice.');"
    ));
    for i in fillers / 2..fillers {
        sql.push_str(&filler_insert(i, notes_len));
    }
    sql.push_str("COMMIT;");
    conn.batch_execute(&sql).unwrap();
}

fn filler_insert(i: usize, notes_len: usize) -> String {
    format!(
        "INSERT INTO people (name, email, phone, notes) VALUES ('Filler Person {i}', 'filler{i}@example.invalid', '0000 {i:06}', '{}');",
        "n".repeat(notes_len)
    )
}

fn needles() -> [Needle<'static>; 3] {
    [
        // Upper case: the stored values are mixed case.
        Needle::new("name", b"ZORGLUBINE TESTAFAMILLE"),
        Needle::new("e-mail", b"Zorglubine@Example.INVALID"),
        Needle::new("phone", PHONE.as_bytes()),
    ]
}

fn labels_in(hits: &[Hit], file: FileKind) -> Vec<&str> {
    let mut labels: Vec<&str> = hits
        .iter()
        .filter(|hit| hit.file == file)
        .map(|hit| hit.needle_label.as_str())
        .collect();
    labels.sort_unstable();
    labels.dedup();
    labels
}

fn file_pages(path: &Path) -> u32 {
    let len = std::fs::metadata(path).unwrap().len();
    assert_eq!(len % PAGE_SIZE as u64, 0);
    (len / PAGE_SIZE as u64) as u32
}

fn wal_len(path: &Path) -> u64 {
    std::fs::metadata(wal_path_of(path)).map_or(0, |m| m.len())
}

fn contains_ignore_case(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
}

fn assert_full_count(db: &Db, report: &Report) {
    assert_eq!(
        report.main_pages,
        file_pages(&db.path),
        "every page of the file is read"
    );
    let wal = wal_len(&db.path);
    let frames = if wal == 0 {
        0
    } else {
        (wal - 32) / (24 + PAGE_SIZE as u64)
    };
    assert_eq!(
        u64::from(report.wal_frames),
        frames,
        "every WAL frame is read"
    );
}

#[test]
fn finds_the_person_in_wal_frames_then_in_the_main_file_after_checkpoint() {
    let db = new_db();
    let mut conn = open(&db.path, &db.key, true);
    populate(&mut conn, 20, 100);

    // Before any checkpoint the rows live only in the WAL.
    let report = scan(&db.path, &db.key, &needles()).unwrap();
    assert_full_count(&db, &report);
    assert!(report.wal_frames > 0);
    assert_eq!(
        labels_in(&report.hits, FileKind::Wal),
        ["e-mail", "name", "phone"]
    );
    assert!(
        labels_in(&report.hits, FileKind::Main).is_empty(),
        "{:?}",
        report.hits
    );
    for hit in &report.hits {
        assert!(hit.frame.is_some());
        assert!(hit.page_no >= 1);
    }
    // The name is in the row and in the notes: both occurrences.
    assert!(
        report
            .hits
            .iter()
            .filter(|h| h.needle_label == "name")
            .count()
            >= 2
    );

    checkpoint(&mut conn);
    assert_eq!(wal_len(&db.path), 0, "TRUNCATE empties the WAL");
    let report = scan(&db.path, &db.key, &needles()).unwrap();
    assert_full_count(&db, &report);
    assert_eq!(report.wal_frames, 0);
    assert_eq!(
        labels_in(&report.hits, FileKind::Main),
        ["e-mail", "name", "phone"]
    );
    assert!(labels_in(&report.hits, FileKind::Wal).is_empty());
    assert_eq!(report.header_page_count, Some(report.main_pages));
    for hit in &report.hits {
        assert_eq!(hit.frame, None);
        assert!(hit.page_no >= 2, "page 1 only holds the schema");
        assert!(hit.offset_in_page < pagescan::USABLE_SIZE);
    }
}

#[test]
fn files_on_disk_do_not_hold_the_data_in_clear() {
    let db = new_db();
    let mut conn = open(&db.path, &db.key, true);
    populate(&mut conn, 20, 100);
    let check_raw = |db: &Db| {
        let main = std::fs::read(&db.path).unwrap();
        let wal = std::fs::read(wal_path_of(&db.path)).unwrap_or_default();
        assert!(
            !main.starts_with(b"SQLite format 3"),
            "the file is encrypted"
        );
        for needle in [NAME, EMAIL, PHONE, "Filler Person", "people"] {
            assert!(!contains_ignore_case(&main, needle.as_bytes()));
            assert!(!contains_ignore_case(&wal, needle.as_bytes()));
        }
        main.len() + wal.len()
    };
    assert!(check_raw(&db) > 0);
    // ... yet the scan sees it: it is only visible decrypted.
    assert!(!scan(&db.path, &db.key, &needles()).unwrap().hits.is_empty());
    checkpoint(&mut conn);
    check_raw(&db);
    assert!(!scan(&db.path, &db.key, &needles()).unwrap().hits.is_empty());
}

#[test]
fn secure_delete_leaves_nothing_behind_and_every_page_is_still_scanned() {
    let db = new_db();
    let mut conn = open(&db.path, &db.key, true);
    // Fillers with 5000-byte notes: each spills onto an overflow page, so
    // deleting them puts pages on the freelist.
    populate(&mut conn, 60, 5000);
    checkpoint(&mut conn);
    let before = scan(&db.path, &db.key, &needles()).unwrap();
    assert_eq!(
        labels_in(&before.hits, FileKind::Main),
        ["e-mail", "name", "phone"]
    );

    conn.batch_execute(&format!(
        "DELETE FROM people WHERE email = '{EMAIL}';
         DELETE FROM people WHERE id % 3 = 0;"
    ))
    .unwrap();
    // Still in the WAL? Only in old images if any; the checkpoint then
    // truncates the WAL.
    checkpoint(&mut conn);
    let report = scan(&db.path, &db.key, &needles()).unwrap();
    assert!(report.is_clean(), "{:#?}", report.hits);
    assert_full_count(&db, &report);
    assert!(report.main_pages > 20);
    let free = report.header_freelist_pages.unwrap();
    assert!(free > 5, "deleted fillers freed pages: {free}");
    assert_eq!(report.header_page_count, Some(report.main_pages));
    // A control needle that is still live is found: the pages were really
    // decrypted and searched.
    let live = scan(
        &db.path,
        &db.key,
        &[Needle::new("filler", b"FILLER PERSON 1")],
    )
    .unwrap();
    assert!(!live.hits.is_empty());

    // Closing the last connection removes the WAL file: a missing WAL is fine.
    drop(conn);
    assert!(!wal_path_of(&db.path).exists());
    let report = scan(&db.path, &db.key, &needles()).unwrap();
    assert!(report.is_clean());
    assert_eq!(report.wal_frames, 0);
    assert_eq!(report.main_pages, file_pages(&db.path));
}

#[test]
fn without_secure_delete_the_deleted_row_is_found_in_free_space() {
    let db = new_db();
    let mut conn = open(&db.path, &db.key, false);
    conn.batch_execute(SCHEMA).unwrap();
    // Long notes: the row spills onto overflow pages, which go to the
    // freelist when it is deleted.
    let notes = format!("{NAME} <{EMAIL}> ").repeat(400);
    conn.batch_execute(&format!(
        "INSERT INTO people (name, email, phone, notes) VALUES ('{NAME}', '{EMAIL}', '{PHONE}', '{notes}');"
    ))
    .unwrap();
    for i in 0..30 {
        conn.batch_execute(&filler_insert(i, 200)).unwrap();
    }
    checkpoint(&mut conn);
    conn.batch_execute(&format!("DELETE FROM people WHERE email = '{EMAIL}';"))
        .unwrap();
    checkpoint(&mut conn);

    // SQL no longer sees the person...
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let count: Count = diesel::sql_query(
        "SELECT count(*) AS n FROM people WHERE name LIKE '%zorglubine%' OR notes LIKE '%zorglubine%'",
    )
    .get_result(&mut conn)
    .unwrap();
    assert_eq!(count.n, 0);

    // ... but the free pages still hold the data, and the scan reads them.
    let report = scan(&db.path, &db.key, &needles()).unwrap();
    assert_full_count(&db, &report);
    assert!(report.header_freelist_pages.unwrap() > 0);
    let labels = labels_in(&report.hits, FileKind::Main);
    assert!(
        labels.contains(&"name") && labels.contains(&"e-mail"),
        "{labels:?}"
    );
    assert!(report.hits.len() > 100, "{} hits", report.hits.len());
}

#[test]
fn wrong_key_is_an_hmac_error_on_page_1_not_a_clean_report() {
    let db = new_db();
    let mut conn = open(&db.path, &db.key, true);
    populate(&mut conn, 5, 10);
    checkpoint(&mut conn);
    let mut wrong = db.key;
    wrong[31] ^= 1;
    match scan(&db.path, &wrong, &needles()) {
        Err(ScanError::HmacMismatch {
            file: FileKind::Main,
            page_no: 1,
            frame: None,
        }) => {}
        other => panic!("expected an HMAC mismatch on page 1, got {other:?}"),
    }
    let err = scan(&db.path, &wrong, &needles()).unwrap_err();
    assert!(err.to_string().contains("page 1"), "{err}");
    assert!(err.to_string().contains("wrong key"), "{err}");
}

#[test]
fn wrong_key_on_a_wal_only_database_is_an_error_too() {
    let db = new_db();
    let mut conn = open(&db.path, &db.key, true);
    populate(&mut conn, 5, 10);
    assert!(wal_len(&db.path) > 0);
    let wrong = random_key();
    let err = scan(&db.path, &wrong, &needles()).unwrap_err();
    assert!(matches!(err, ScanError::HmacMismatch { .. }), "{err:?}");
}

#[test]
fn a_damaged_page_is_named_in_the_error() {
    let db = new_db();
    let mut conn = open(&db.path, &db.key, true);
    populate(&mut conn, 30, 500);
    checkpoint(&mut conn);
    drop(conn);
    let mut bytes = std::fs::read(&db.path).unwrap();
    assert!(bytes.len() >= 4 * PAGE_SIZE);
    bytes[2 * PAGE_SIZE + 100] ^= 0x01; // page 3
    std::fs::write(&db.path, &bytes).unwrap();
    match scan(&db.path, &db.key, &needles()) {
        Err(ScanError::HmacMismatch {
            file: FileKind::Main,
            page_no: 3,
            frame: None,
        }) => {}
        other => panic!("expected an HMAC mismatch on page 3, got {other:?}"),
    }

    // A damaged WAL frame: frame 2 of a fresh WAL.
    bytes[2 * PAGE_SIZE + 100] ^= 0x01;
    std::fs::write(&db.path, &bytes).unwrap();
    let mut conn = open(&db.path, &db.key, true);
    conn.batch_execute("UPDATE people SET phone = 'x' || phone;")
        .unwrap();
    let wal_path = wal_path_of(&db.path);
    let mut wal = std::fs::read(&wal_path).unwrap();
    assert!(wal.len() >= 32 + 2 * (24 + PAGE_SIZE));
    wal[32 + (24 + PAGE_SIZE) + 24 + 7] ^= 0x80;
    std::fs::write(&wal_path, &wal).unwrap();
    let err = scan(&db.path, &db.key, &needles()).unwrap_err();
    match err {
        ScanError::HmacMismatch {
            file: FileKind::Wal,
            frame: Some(2),
            ..
        } => {}
        other => panic!("expected an HMAC mismatch in WAL frame 2, got {other:?}"),
    }
    drop(conn);
}

#[test]
fn messages_never_carry_needle_bytes() {
    let db = new_db();
    let mut conn = open(&db.path, &db.key, true);
    populate(&mut conn, 5, 10);
    let report = scan(&db.path, &db.key, &needles()).unwrap();
    assert!(!report.hits.is_empty());

    let mut texts = vec![format!("{report:?}"), format!("{:?}", needles())];
    texts.extend(report.hits.iter().map(|hit| hit.to_string()));
    texts.extend(report.hits.iter().map(|hit| format!("{hit:?}")));

    let wrong = random_key();
    let err = scan(&db.path, &wrong, &needles()).unwrap_err();
    texts.push(err.to_string());
    texts.push(format!("{err:?}"));

    let short = scan(&db.path, &db.key, &[Needle::new("initials", b"Q%")]).unwrap_err();
    assert!(matches!(
        short,
        ScanError::NeedleTooShort {
            index: 0,
            len: 2,
            ..
        }
    ));
    texts.push(short.to_string());
    texts.push(format!("{short:?}"));
    let long_needle = "Zorglubine".repeat(30);
    let long = scan(
        &db.path,
        &db.key,
        &[Needle::new("bio", long_needle.as_bytes())],
    )
    .unwrap_err();
    assert!(matches!(long, ScanError::NeedleTooLong { .. }));
    texts.push(long.to_string());
    texts.push(format!("{long:?}"));
    let missing = scan(&db.path.with_extension("nope"), &db.key, &needles()).unwrap_err();
    assert!(matches!(
        missing,
        ScanError::Io {
            file: FileKind::Main,
            ..
        }
    ));
    texts.push(missing.to_string());

    for text in &texts {
        for needle in [
            NAME,
            EMAIL,
            PHONE,
            "Q%",
            "zorglubine",
            "testafamille",
            "98 76 54",
        ] {
            assert!(
                !contains_ignore_case(text.as_bytes(), needle.as_bytes()),
                "{text:?} contains a needle"
            );
        }
    }
    // The labels are there, so the hits can still be understood.
    assert!(texts.iter().any(|t| t.contains("e-mail")));
    assert!(texts.iter().any(|t| t.contains("page ")));
}

#[test]
fn odd_inputs_are_errors_not_panics() {
    let db = new_db();
    assert!(matches!(
        scan(&db.path, &db.key, &needles()),
        Err(ScanError::Io { .. })
    ));
    assert!(matches!(
        scan(&db.path, &db.key, &[]),
        Err(ScanError::NoNeedles)
    ));

    std::fs::write(&db.path, b"").unwrap();
    assert!(matches!(
        scan(&db.path, &db.key, &needles()),
        Err(ScanError::Empty)
    ));

    std::fs::write(&db.path, vec![7u8; PAGE_SIZE + 10]).unwrap();
    assert!(matches!(
        scan(&db.path, &db.key, &needles()),
        Err(ScanError::NotWholePages { len }) if len == PAGE_SIZE as u64 + 10
    ));

    std::fs::write(&db.path, vec![7u8; 2 * PAGE_SIZE]).unwrap();
    assert!(matches!(
        scan(&db.path, &db.key, &needles()),
        Err(ScanError::HmacMismatch { page_no: 1, .. })
    ));

    // A real database with a truncated or foreign WAL.
    let mut conn = open(&db.path.with_extension("real"), &db.key, true);
    let real = db.path.with_extension("real");
    populate(&mut conn, 3, 10);
    let wal = std::fs::read(wal_path_of(&real)).unwrap();
    std::fs::write(wal_path_of(&real), &wal[..wal.len() - 1]).unwrap();
    assert!(matches!(
        scan(&real, &db.key, &needles()),
        Err(ScanError::TruncatedWal { .. })
    ));
    std::fs::write(wal_path_of(&real), &wal[..20]).unwrap();
    assert!(matches!(
        scan(&real, &db.key, &needles()),
        Err(ScanError::TruncatedWal { len: 20 })
    ));
    let mut foreign = wal.clone();
    foreign[0] ^= 0xff;
    std::fs::write(wal_path_of(&real), &foreign).unwrap();
    assert!(matches!(
        scan(&real, &db.key, &needles()),
        Err(ScanError::UnexpectedFormat {
            file: FileKind::Wal,
            ..
        })
    ));
    // The database file is a directory.
    assert!(matches!(
        scan(db._dir.path(), &db.key, &needles()),
        Err(ScanError::Io { .. })
    ));
    std::fs::write(wal_path_of(&real), &wal).unwrap();
    drop(conn);
}

/// A value long enough to spill onto overflow pages is cut between pages;
/// the needle must be found wherever the cut falls.
#[test]
fn needles_cut_by_overflow_page_boundaries_are_found() {
    let db = new_db();
    let mut conn = open(&db.path, &db.key, true);
    conn.batch_execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);")
        .unwrap();
    checkpoint(&mut conn);
    let needle = [Needle::new("e-mail", EMAIL.as_bytes())];
    let len = EMAIL.len();
    // A 9000-byte text in a table leaf cell: a record of 5 + 9000 bytes, of
    // which 981 stay in the leaf page (976 of text) and the rest fills two
    // overflow pages of 4012 bytes: cuts at text offsets 976 and 4988.
    let mut straddled = [0usize; 2];
    for (b, boundary) in [976usize, 4988].into_iter().enumerate() {
        for at in boundary - len - 2..boundary + 3 {
            let mut body = vec![b'x'; 9000];
            body[at..at + len].copy_from_slice(EMAIL.as_bytes());
            let body = String::from_utf8(body).unwrap();
            conn.batch_execute(&format!("INSERT INTO notes (body) VALUES ('{body}');"))
                .unwrap();
            for stage in ["wal", "main"] {
                let report = scan(&db.path, &db.key, &needle).unwrap();
                assert!(
                    !report.hits.is_empty(),
                    "not found at text offset {at} ({stage})"
                );
                if report.hits.iter().any(|h| h.continues_on_page.is_some()) {
                    straddled[b] += 1;
                    assert!(
                        at < boundary && at + len > boundary,
                        "cut expected at {boundary}, needle at {at}"
                    );
                }
                checkpoint(&mut conn);
            }
            conn.batch_execute("DELETE FROM notes;").unwrap();
            checkpoint(&mut conn);
            assert!(scan(&db.path, &db.key, &needle).unwrap().is_clean());
        }
    }
    // Each boundary cut the needle len - 1 ways, at both stages.
    assert_eq!(straddled, [2 * (len - 1); 2]);
}

/// A database whose file is still empty: everything, page 1 and its salt
/// included, is in the WAL.
#[test]
fn an_empty_database_file_with_a_full_wal_is_scanned_from_the_wal() {
    let db = new_db();
    let mut conn = open(&db.path, &db.key, true);
    populate(&mut conn, 10, 10);
    let wal = std::fs::read(wal_path_of(&db.path)).unwrap();
    let copy = db.path.with_extension("copy");
    std::fs::write(&copy, b"").unwrap();
    std::fs::write(wal_path_of(&copy), &wal).unwrap();

    let report = scan(&copy, &db.key, &needles()).unwrap();
    assert_eq!(report.main_pages, 0);
    assert_eq!(
        u64::from(report.wal_frames),
        (wal.len() as u64 - 32) / (24 + 4096)
    );
    assert_eq!(report.header_page_count, None);
    assert_eq!(
        labels_in(&report.hits, FileKind::Wal),
        ["e-mail", "name", "phone"]
    );

    let err = scan(&copy, &random_key(), &needles()).unwrap_err();
    assert!(
        matches!(
            err,
            ScanError::HmacMismatch {
                file: FileKind::Wal,
                frame: Some(1),
                ..
            }
        ),
        "{err:?}"
    );
    drop(conn);
}

/// Databases of 1024 pages or more are scanned by several threads, each on
/// a range of pages: nothing may fall between the ranges.
#[test]
fn a_large_database_is_scanned_whole_by_parallel_parts() {
    let db = new_db();
    let mut conn = open(&db.path, &db.key, true);
    populate(&mut conn, 2400, 1500);
    // The person once more, at the very end, with long notes spilling onto
    // overflow pages.
    let notes = format!("{}{EMAIL}{}", "y".repeat(4000), "y".repeat(5000));
    conn.batch_execute(&format!(
        "INSERT INTO people (name, email, phone, notes) VALUES ('-', '-', '-', '{notes}');"
    ))
    .unwrap();
    checkpoint(&mut conn);
    drop(conn);
    let pages = file_pages(&db.path);
    assert!(pages > 1100, "{pages} pages");

    let report = scan(&db.path, &db.key, &needles()).unwrap();
    assert_eq!(report.main_pages, pages);
    assert_eq!(report.zero_pages, 0);
    let emails: Vec<u32> = report
        .hits
        .iter()
        .filter(|h| h.needle_label == "e-mail")
        .map(|h| h.page_no)
        .collect();
    assert_eq!(emails.len(), 2, "{emails:?}");
    assert!(
        emails.iter().any(|&p| p < pages / 2 + 50) && emails.iter().any(|&p| p > pages - 10),
        "{emails:?}"
    );
    assert!(report
        .hits
        .windows(2)
        .all(|w| w[0].page_no <= w[1].page_no || w[1].continues_on_page.is_some()));
    // A live row of the last range is found once.
    let control = scan(&db.path, &db.key, &[Needle::new("filler", b"filler2399@")]).unwrap();
    assert_eq!(control.hits.len(), 1);

    // Damage in both halves: the lowest page is named.
    let mut bytes = std::fs::read(&db.path).unwrap();
    let late = pages as usize - 2;
    bytes[late * PAGE_SIZE + 10] ^= 4;
    std::fs::write(&db.path, &bytes).unwrap();
    let err = scan(&db.path, &db.key, &needles()).unwrap_err();
    assert!(
        matches!(err, ScanError::HmacMismatch { page_no, .. } if page_no as usize == late + 1),
        "{err:?}"
    );
    bytes[300 * PAGE_SIZE + 10] ^= 4;
    std::fs::write(&db.path, &bytes).unwrap();
    let err = scan(&db.path, &db.key, &needles()).unwrap_err();
    assert!(
        matches!(err, ScanError::HmacMismatch { page_no: 301, .. }),
        "{err:?}"
    );
}
