//! Differential test of `llvm_demangle::demangle` against `llvm-cxxfilt-19` on Itanium names:
//! every `_Z` symbol of Debian's wasm32-wasi libc++ and libc++abi (plus the conformance
//! corpus's C++ objects when they have been built) must demangle to exactly what LLVM prints.

mod common;

use std::path::{Path, PathBuf};

const LIBS: &[&str] = &[
    "/usr/lib/llvm-19/lib/wasm32-wasi/libc++.a",
    "/usr/lib/llvm-19/lib/wasm32-wasi/libc++abi.a",
];

/// Manglings the libraries lack: lambdas, packs, literals, expressions, special names.
const EXTRA: &[&str] = &[
    "_ZZ4mainENKUlvE_clEv",
    "_ZZ4mainENKUlT_E_clIiEEDaS_",
    "_ZZ4mainENKUlRKiE0_clES1_",
    "_Z1fIJidEEvDpOT_",
    "_Z1fIJEEvDpOT_",
    "_Z1fILi3EEvv",
    "_Z1fILln3EEvv",
    "_Z1fILb1EEvv",
    "_Z1fIXadL_Z1gvEEEvv",
    "_Z1fIiEDTcl1gfp_EET_",
    "_Z1fIiEDTplfp_fp_ET_",
    "_Z1fIiEDTgtfp_fp_ET_",
    "_Z1fILi1EEvPAplT_Li1E_i",
    "_ZN1AcvT_IiEEv",
    "_ZNK1AIiE1fIfEEvT_",
    "_ZTV1A",
    "_ZTI1A",
    "_ZTS1A",
    "_ZTT1A",
    "_ZThn8_N1A1fEv",
    "_ZTv0_n12_N1A1fEv",
    "_ZGVZ4mainE1x",
    "_ZTW1x",
    "_ZTH1x",
    "_ZGR1x_",
    "_Z1fM1AFviE",
    "_Z1fM1AKFviE",
    "_Z1fPA3_A4_i",
    "_Z1fRKPFPFivEvE",
    "_Z1fDv4_f",
    "_Z1fDn",
    "_Z1fCf",
    "_Z1fu6__bf16",
    "_Z1fLf3f800000E",
    "_Z1fILd3ff0000000000000EEvv",
    "_Z1fILf3f800000EEvv",
    "_Z1fILe3fff8000000000000000EEvv",
    "_Z1fIXtlA3_cLc104ELc105EEEEvv",
    "_Z1fDpT_",
    "_ZN5Outer5InnerD2Ev",
    "_ZN12_GLOBAL__N_11fEv",
    "_Z3foov.cold.1",
    "_ZNSt3__14pairIiiEC2B8ne190107IJiEJiEEENS_21piecewise_construct_tEDpT_DpT0_",
    "_ZN1S1fEv.llvm.123",
    "_Z1fIiEvT_Q1CIS0_E",
    "_ZN3FooIiE3barEOS0_",
    "_ZNO3Foo3barEv",
    "_ZNR3Foo3barEv",
    "_ZNKR3Foo3barEv",
    "_Z1fSt9nullptr_t",
    "_ZSt4cout",
    "_ZNSo5writeEPKcl",
    "_ZNSdD0Ev",
    "_ZNKSt3__18functionIFivEEclEv",
    "_ZN3$_01fEv",
    "_ZZN1A1fEvE1x_0",
    "_ZZN1A1fEvEs",
    "_ZZN1A1fEvEd_1x",
    "_Z1fIN1A1BEEvv",
    "_ZN1AIiE1BIfE1cIdEEvv",
    "_Z1gIJicEEvDpPT_",
    "_Z1hIJiEEvDpRKT_",
    "_ZN1AaSEOS_",
    "_ZN1AixEi",
    "_ZN1AclEv",
    "_ZN1AdlEPv",
    "_ZnwmSt11align_val_t",
    "_Znam",
    "_ZdaPv",
    "_ZN1AssERKS_",
    "_Zli2_xy",
    "_ZN1AcviEv",
    "_ZN1AcvPFvvEEv",
    "_Z1fIiEvT_PDtfL0p_E",
    "_Z1fI1AEvDtdtfp_1xE",
    "_Z1fI1AEvDtptfp_1xE",
    "_Z1fIiEvDTsZT_E",
    "_Z1fIJiEEvDTsZT_E",
    "_Z1fIiEvDTstT_E",
    "_Z1fIiEvDTszfp_E",
    "_Z1fIiEvDTnxfp_E",
    "_Z1fIiEvDTcvT_fp_E",
    "_Z1fIiEvDTscT_fp_E",
    "_Z1fIiEvDTqufp_fp_fp_E",
    "_Z1fIiEvDTixfp_fp_E",
    "_Z1fIiEvDTnwi_T_EE",
    "_Z1fIiEvDTtwfp_E",
    "_Z1fIJiEEvDTfLplLi0Efp_E",
    "_Z1fIJiEEvDTfrplfp_E",
    "_Z1fIiEvDTsrT_1xE",
    "_Z1fIiEvDTsrNT_1AE1xE",
    "___Z1fv_block_invoke",
    "___Z1fv_block_invoke_2",
    "_ZZ1fvENKUlTyT_E_clIiEEDaS0_",
    "_ZN1AF1fEv",
    "_ZNH1A1fEOS_",
    "_Z1fDB8_",
    "_Z1fDF16b",
    "_Z1fDF16_",
    "_Z1fIiEvv.cold",
    "_ZN1AIiE1fITk1CiEEvv",
    "_Z1fITk1CiEvv",
    "_ZTAXtl1AEE",
    "_Z1fIiQ1CIT_EEvv",
    "_ZW1M1fv",
    "_ZGIW1M",
    "_Z1fIXtl1ALi1EEEEvv",
    "_Z1fIXsoiL_Z1xE4_pEEEvv",
    "_ZN1AC1ERKS_",
    "_ZNSt3__112basic_stringIcNS_11char_traitsIcEENS_9allocatorIcEEEC2B8ne190107ILi0EEEPKc",
    "_Z1fPU8__strongP11objc_object",
    "_Z1fPU11objcproto1P11objc_object",
    "_Z1fIJEEvv",
    "_Z1fIiEvPFT_vE",
    "_ZZ1fvEN1A1gEv",
    "_Z1fIiEvU3fooi",
    "_Z1fU3fooIiEi",
    "_ZN1AD0Ev",
    "_Z1fRA_i",
    "_Z1fPDoFvvE",
    "_Z1fPDwiEFvvE",
    "_Z1fIiEvPDOT_EFvvE",
    "_Z1fIiEvPDxFvvE",
    "_ZUlvE_",
    // Template parameters inside a `Tk` concept's arguments: LLVM 19 resolves them like any
    // other, so one not yet declared (`T_` first, or `TL0__`) fails the name, as in libc++'s
    // C++20 `basic_string_view(It, End)` constructor.
    "_ZNSt3__217basic_string_viewIcNS_11char_traitsIcEEEC2B8ne190107ITkNS_19contiguous_iteratorEPcTkNS_18sized_sentinel_forITL0__EES5_Qaa9is_same_vINS_11conditionalIXsr21__is_primary_templateINS_15iterator_traitsIu14__remove_cvrefIS7_EEEEE5valueENS_26indirectly_readable_traitsISA_EESB_E4type10value_typeET_Ent16is_convertible_vITL0_0_mEEESH_T0_",
    "_Z1fITk1DIiEPcEvT_",
    "_Z1fITk1DIT_EPcEvT_",
    "_Z1fITk1DITL0__EPcEvT_",
    "_Z1fITk1CPcTk1DIT_ES0_EvT_T0_",
    "_Z1fITk1CPcTk1DITL0__ES0_EvT_T0_",
    "_ZN1AC2ITk1CPcTk1DITL0__ES0_Q1BEEv",
    "_ZN1AC2ITk1CPcEEv",
    "_Z1fIiEvT_Q1CIT_E",
    "_Z1fIiEvT_Q1CITL0__E",
    "_ZZ1fvENKUlTk1CIT_ET_E_clIiEEDaS0_",
    "_ZZ1fvENKUlTk1CIiET_E_clIiEEDaS0_",
    "_ZZ1fvENKUlTyTk1CIT_ET_E_clIiiEEDaS0_",
    // Later than LLVM 19: naming `operator->*`, fixed-point types, `__Z` as a prefix (which
    // `llvm::demangle` reaches anyway by dropping an underscore, unlike `___Z` outside blocks).
    "_Z1fpm",
    "_ZN1ApmEv",
    "_Z1fIiEDTpmfp_fp_ET_",
    "_Z1fDAs",
    "_Z1fDRi",
    "_Z1fDSDAs",
    "__Z3foov",
    "___Z3foov",
    "____Z3foov",
    "___Z3foov_block_invoke",
    "____Z3foov_block_invoke_12.cold",
    "_Z",
    "_Zv",
    "_Z1",
    "_Z1fv_",
    "_ZN",
    "_ZNSt3__1E",
    "_ZSt",
];

/// The conformance harness's cached C++ objects, if `cargo xtask conformance` has run.
fn corpus_objects() -> Vec<PathBuf> {
    let cache = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/conformance/cache");
    let Ok(dirs) = std::fs::read_dir(cache) else {
        return Vec::new();
    };
    let mut objs = Vec::new();
    for dir in dirs
        .flatten()
        .filter(|d| d.file_name().to_string_lossy().starts_with("cpp-"))
    {
        let files = std::fs::read_dir(dir.path())
            .into_iter()
            .flatten()
            .flatten();
        objs.extend(
            files
                .map(|f| f.path())
                .filter(|p| p.extension().is_some_and(|e| e == "o")),
        );
    }
    objs.sort();
    objs
}

#[test]
fn itanium_names_match_llvm_cxxfilt_19() {
    for lib in LIBS {
        assert!(
            Path::new(lib).exists(),
            "{lib} missing: install libc++-19-dev-wasm32 and libc++abi-19-dev-wasm32"
        );
    }
    let mut paths: Vec<PathBuf> = LIBS.iter().map(PathBuf::from).collect();
    let library_names = common::nm_names(&paths, is_itanium).len();
    assert!(
        library_names > 1000,
        "only {library_names} names in libc++/libc++abi"
    );
    paths.extend(corpus_objects());
    let mut names = common::nm_names(&paths, is_itanium);
    names.extend(EXTRA.iter().map(|s| s.to_string()));
    common::assert_same_as_llvm(&names);
}

fn is_itanium(name: &str) -> bool {
    name.starts_with("_Z") || name.starts_with("___Z")
}
