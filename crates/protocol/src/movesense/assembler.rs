//! Putting split subscription data back together (DATA + DATA_PART2, see
//! [`super::notification`]).
//!
//! The app sends the two parts back to back, each with the subscription's reference, and cuts
//! only data longer than 150 bytes, always after exactly 150. So a DATA with a 150-byte payload
//! is taken as a first part and held for its DATA_PART2; any other DATA is whole. (Data of
//! exactly 150 bytes would be held too; no IMU kind has that length, 4 + 12·k ≠ 150.)
//! Notifications are not acknowledged and can be lost: a held first part whose second never
//! comes is dropped, and counted, when the next DATA arrives; a second part without its first is
//! refused.

use super::notification::{FIRST_PART_LEN, MAX_DATA_LEN, Notification, ResponseType};

/// Why a notification could not be put into data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AssemblyError {
    /// A DATA_PART2 came with no first part held (its DATA was lost).
    #[error("Movesense data part 2 for reference {reference} without its first part")]
    Part2WithoutFirst {
        /// Its reference.
        reference: u8,
    },
    /// A DATA_PART2 came for another reference than the held first part's; both are dropped.
    #[error("Movesense data part 2 for reference {got}, but the held first part is for {held}")]
    ReferenceMismatch {
        /// The held first part's reference.
        held: u8,
        /// The second part's reference.
        got: u8,
    },
    /// The parts together are longer than the app can send.
    #[error("Movesense data of {len} bytes, more than the {max} the app sends")]
    TooLong {
        /// Bytes received.
        len: usize,
        /// [`MAX_DATA_LEN`].
        max: usize,
    },
    /// A DATA_PART3, which the app declares but never sends.
    #[error("Movesense data part 3 for reference {reference}, which the app never sends")]
    Part3 {
        /// Its reference.
        reference: u8,
    },
}

/// One whole piece of subscription data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Data<'a> {
    /// The subscription's reference.
    pub reference: u8,
    /// The serialised resource notification.
    pub payload: &'a [u8],
}

/// Holds a first part until its second arrives. Allocation-free: one [`MAX_DATA_LEN`] buffer.
#[derive(Debug, Clone)]
pub struct DataAssembler {
    buf: [u8; MAX_DATA_LEN],
    len: usize,
    held: Option<u8>,
    dropped_first_parts: u32,
}

impl Default for DataAssembler {
    fn default() -> Self {
        Self::new()
    }
}

impl DataAssembler {
    /// An empty assembler.
    pub const fn new() -> Self {
        Self {
            buf: [0; MAX_DATA_LEN],
            len: 0,
            held: None,
            dropped_first_parts: 0,
        }
    }

    /// First parts dropped because their second part never came (wrapping).
    pub fn dropped_first_parts(&self) -> u32 {
        self.dropped_first_parts
    }

    /// Whether a first part is held, waiting for its second.
    pub fn is_holding(&self) -> bool {
        self.held.is_some()
    }

    /// Takes one notification; returns the data it completes, if any. COMMAND_RESULTs are not
    /// data and pass through as `Ok(None)` without touching what is held.
    pub fn push<'a>(
        &'a mut self,
        notification: &Notification<'a>,
    ) -> Result<Option<Data<'a>>, AssemblyError> {
        let reference = notification.reference;
        let payload = notification.payload;
        match notification.response {
            ResponseType::CommandResult => Ok(None),
            ResponseType::Data => {
                if self.held.take().is_some() {
                    self.dropped_first_parts = self.dropped_first_parts.wrapping_add(1);
                }
                if payload.len() == FIRST_PART_LEN {
                    self.store(payload);
                    self.held = Some(reference);
                    return Ok(None);
                }
                if payload.len() > MAX_DATA_LEN {
                    return Err(AssemblyError::TooLong {
                        len: payload.len(),
                        max: MAX_DATA_LEN,
                    });
                }
                Ok(Some(Data { reference, payload }))
            }
            ResponseType::DataPart2 => {
                let held = self
                    .held
                    .take()
                    .ok_or(AssemblyError::Part2WithoutFirst { reference })?;
                if held != reference {
                    self.dropped_first_parts = self.dropped_first_parts.wrapping_add(1);
                    return Err(AssemblyError::ReferenceMismatch {
                        held,
                        got: reference,
                    });
                }
                let len = self.len + payload.len();
                let Some(dst) = self.buf.get_mut(self.len..len) else {
                    return Err(AssemblyError::TooLong {
                        len,
                        max: MAX_DATA_LEN,
                    });
                };
                dst.copy_from_slice(payload);
                self.len = len;
                Ok(Some(Data {
                    reference,
                    payload: self.buf.get(..len).unwrap_or_default(),
                }))
            }
            ResponseType::DataPart3 => Err(AssemblyError::Part3 { reference }),
        }
    }

    fn store(&mut self, payload: &[u8]) {
        let n = payload.len().min(MAX_DATA_LEN);
        if let (Some(dst), Some(src)) = (self.buf.get_mut(..n), payload.get(..n)) {
            dst.copy_from_slice(src);
        }
        self.len = n;
    }
}
