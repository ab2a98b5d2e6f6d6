use super::*;

fn m(text: &str) -> Month {
    Month::parse(text).unwrap()
}

#[test]
fn pol_11_cell_keys_round_trip() {
    let cells = [
        Cell::Section {
            month: m("2026-11"),
            section: "ecoute-active".into(),
        },
        Cell::ProgrammeFunnel {
            month: m("2026-11"),
            programme: "p1".into(),
            step: Step::Session(3),
        },
        Cell::GroupFunnel {
            month: m("2026-12"),
            group: "g1".into(),
            step: Step::Completed,
        },
        Cell::Format {
            month: m("2027-01"),
            format: Format::Forum,
            measure: Measure::EnrolledToDate,
        },
    ];
    for cell in cells {
        assert_eq!(
            Cell::parse(&cell.key()),
            Some(cell.clone()),
            "{}",
            cell.key()
        );
    }
    assert_eq!(Cell::parse("sections/2026-11/Not A Key"), None);
    assert_eq!(Cell::parse("funnel/2026-13/group/g/enrolled"), None);
}

#[test]
fn pol_11_months_step_over_the_year() {
    assert_eq!(m("2026-12").next(), m("2027-01"));
    assert_eq!(m("2027-01").previous(), m("2026-12"));
    assert_eq!(Month::parse("2026-1"), None);
    let u = Universe {
        groups: BTreeMap::new(),
        first_month: Some(m("2026-11")),
    };
    assert_eq!(
        u.months_to(m("2027-01")),
        vec![m("2026-11"), m("2026-12"), m("2027-01")]
    );
}

#[test]
fn pol_11_a_later_step_reaches_the_earlier_ones() {
    // Enrolled in October, attended session 2 in November (not session 1),
    // and the last (3rd) in December.
    let reaches = first_reaches(m("2026-10"), &[(2, m("2026-11")), (3, m("2026-12"))], 3);
    assert_eq!(
        reaches,
        vec![
            (Step::Enrolled, m("2026-10")),
            (Step::Session(1), m("2026-11")),
            (Step::Session(2), m("2026-11")),
            (Step::Session(3), m("2026-12")),
            (Step::Completed, m("2026-12")),
        ]
    );
    // Attendance recorded before the confirmation counts the enrolment then.
    let early = first_reaches(m("2026-11"), &[(1, m("2026-10"))], 4);
    assert_eq!(early[0], (Step::Enrolled, m("2026-10")));
    assert_eq!(early.len(), 2);
}
