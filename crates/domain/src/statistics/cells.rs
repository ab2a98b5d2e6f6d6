//! The cells of the three tables, their stable keys (the ledger's ids) and
//! their combinations of inner cells (see the parent module).

use super::{Format, FormatPart, Measure, Month, Step, Universe};

/// A section key of the website: `[a-z0-9-]{1,64}` (it appears in cell keys).
pub fn is_section_key(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 64
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// An id in a cell key (programme, group): no `/`.
fn is_id(text: &str) -> bool {
    !text.is_empty() && text.len() <= 64 && !text.contains('/')
}

/// One published (or hidden) figure, by its key.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Cell {
    Section {
        month: Month,
        section: String,
    },
    /// Cumulative to the end of `month`, for a whole programme.
    ProgrammeFunnel {
        month: Month,
        programme: String,
        step: Step,
    },
    /// Cumulative to the end of `month`, for one group (what its trainer may
    /// see when it passes the rule).
    GroupFunnel {
        month: Month,
        group: String,
        step: Step,
    },
    Format {
        month: Month,
        format: Format,
        measure: Measure,
    },
}

/// The table a cell belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Table {
    Sections,
    Funnel,
    Formats,
}

impl Table {
    pub const fn as_str(self) -> &'static str {
        match self {
            Table::Sections => "sections",
            Table::Funnel => "funnel",
            Table::Formats => "formats",
        }
    }
}

impl Cell {
    pub fn month(&self) -> Month {
        match self {
            Cell::Section { month, .. }
            | Cell::ProgrammeFunnel { month, .. }
            | Cell::GroupFunnel { month, .. }
            | Cell::Format { month, .. } => *month,
        }
    }

    pub fn table(&self) -> Table {
        match self {
            Cell::Section { .. } => Table::Sections,
            Cell::ProgrammeFunnel { .. } | Cell::GroupFunnel { .. } => Table::Funnel,
            Cell::Format { .. } => Table::Formats,
        }
    }

    /// The stable key stored in the ledger, e.g. `funnel/2026-11/group/<id>/session-2`.
    pub fn key(&self) -> String {
        match self {
            Cell::Section { month, section } => format!("sections/{month}/{section}"),
            Cell::ProgrammeFunnel {
                month,
                programme,
                step,
            } => format!("funnel/{month}/programme/{programme}/{}", step.key()),
            Cell::GroupFunnel { month, group, step } => {
                format!("funnel/{month}/group/{group}/{}", step.key())
            }
            Cell::Format {
                month,
                format,
                measure,
            } => format!("formats/{month}/{}/{}", format.as_str(), measure.as_str()),
        }
    }

    /// The cell a key names.
    pub fn parse(key: &str) -> Option<Self> {
        let parts: Vec<&str> = key.split('/').collect();
        match parts.as_slice() {
            ["sections", month, section] if is_section_key(section) => Some(Cell::Section {
                month: Month::parse(month)?,
                section: (*section).to_owned(),
            }),
            ["funnel", month, "programme", id, step] if is_id(id) => Some(Cell::ProgrammeFunnel {
                month: Month::parse(month)?,
                programme: (*id).to_owned(),
                step: Step::parse(step)?,
            }),
            ["funnel", month, "group", id, step] if is_id(id) => Some(Cell::GroupFunnel {
                month: Month::parse(month)?,
                group: (*id).to_owned(),
                step: Step::parse(step)?,
            }),
            ["formats", month, format, measure] => Some(Cell::Format {
                month: Month::parse(month)?,
                format: Format::parse(format)?,
                measure: Measure::parse(measure)?,
            }),
            _ => None,
        }
    }

    /// Whether the cell counts people (all but the questions, a magnitude).
    pub fn counts_people(&self) -> bool {
        !matches!(
            self,
            Cell::Format {
                measure: Measure::Questions,
                ..
            }
        )
    }

    /// The cell as a sum of inner cells, in the universe `u` (the groups as
    /// they are now: a group's inner cells of months before it existed are
    /// zero, and zeros are known to the attacker, see `suppression`).
    /// `None` for the questions (not a count of people).
    pub fn combination(&self, u: &Universe) -> Option<Vec<(Inner, i64)>> {
        let reached_to = |group: &str, step: Step, month: Month| -> Vec<(Inner, i64)> {
            u.months_to(month)
                .into_iter()
                .map(|m| {
                    (
                        Inner::Reached {
                            month: m,
                            group: group.to_owned(),
                            step,
                        },
                        1,
                    )
                })
                .collect()
        };
        match self {
            Cell::Section { month, section } => Some(vec![(
                Inner::SectionViewers {
                    month: *month,
                    section: section.clone(),
                },
                1,
            )]),
            Cell::GroupFunnel { month, group, step } => Some(reached_to(group, *step, *month)),
            Cell::ProgrammeFunnel {
                month,
                programme,
                step,
            } => Some(
                u.groups
                    .iter()
                    .filter(|(_, g)| &g.programme == programme)
                    .flat_map(|(id, _)| reached_to(id, *step, *month))
                    .collect(),
            ),
            Cell::Format {
                month,
                format,
                measure,
            } => {
                let part = |p: FormatPart| {
                    (
                        Inner::FormatPart {
                            month: *month,
                            format: *format,
                            part: p,
                        },
                        1,
                    )
                };
                let to_date = |step: Step| {
                    u.groups
                        .iter()
                        .filter(|(_, g)| g.format == *format)
                        .flat_map(|(id, _)| reached_to(id, step, *month))
                        .collect()
                };
                match measure {
                    Measure::Scheduled => Some(vec![
                        part(FormatPart::Absent),
                        part(FormatPart::Silent),
                        part(FormatPart::Asked),
                    ]),
                    Measure::Attended => {
                        Some(vec![part(FormatPart::Silent), part(FormatPart::Asked)])
                    }
                    Measure::Asked => Some(vec![part(FormatPart::Asked)]),
                    Measure::Questions => None,
                    Measure::EnrolledToDate => Some(to_date(Step::Enrolled)),
                    Measure::CompletedToDate => Some(to_date(Step::Completed)),
                }
            }
        }
    }
}

/// An inner cell: a set of distinct people the store counts.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Inner {
    /// People who viewed `section` in `month`.
    SectionViewers { month: Month, section: String },
    /// People of `group` who first reached `step` in `month`.
    Reached {
        month: Month,
        group: String,
        step: Step,
    },
    /// One of the three disjoint parts of a format's month.
    FormatPart {
        month: Month,
        format: Format,
        part: FormatPart,
    },
}
