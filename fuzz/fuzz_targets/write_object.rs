//! The object writer: any input that parses as a relocatable object and converts to an
//! `ObjectModel` that the writer accepts must come back, parsed again, as the same model.
//! Nothing may panic; the writer may refuse a model (with an error), never write one the
//! parser then reads differently.

#![no_main]

use libfuzzer_sys::fuzz_target;
use wasm_object::model::ObjectModel;
use wasm_object::object::Object;

fuzz_target!(|data: &[u8]| {
    let Ok(object) = Object::parse(data, 0) else {
        return;
    };
    let Ok(model) = ObjectModel::from_object(&object) else {
        return;
    };
    let Ok(written) = wasm_object::writer::write(&model) else {
        return;
    };
    let again = Object::parse(&written, 0).expect("the writer's output must parse");
    let model2 = ObjectModel::from_object(&again).expect("and convert to a model");
    assert!(model == model2, "the written object reads back as another model");
});
