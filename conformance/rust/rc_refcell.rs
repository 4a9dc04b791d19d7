// Rc, Weak, RefCell and Drop order: a small tree with parent links.
use std::cell::RefCell;
use std::rc::{Rc, Weak};

struct Node {
    name: String,
    parent: RefCell<Weak<Node>>,
    children: RefCell<Vec<Rc<Node>>>,
}

impl Drop for Node {
    fn drop(&mut self) {
        println!("drop {}", self.name);
    }
}

fn node(name: &str) -> Rc<Node> {
    Rc::new(Node { name: name.into(), parent: RefCell::new(Weak::new()), children: RefCell::new(vec![]) })
}

fn main() {
    let root = node("root");
    for n in ["a", "b"] {
        let child = node(n);
        *child.parent.borrow_mut() = Rc::downgrade(&root);
        root.children.borrow_mut().push(child);
    }
    let first = root.children.borrow()[0].clone();
    let parent = first.parent.borrow().upgrade().map(|p| p.name.clone());
    println!("parent of {} is {:?}; strong={} weak={}", first.name, parent, Rc::strong_count(&root), Rc::weak_count(&root));
    drop(first);
}
