#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| payermax_fuzz::import_page(data));
