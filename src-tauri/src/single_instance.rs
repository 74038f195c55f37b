//! One running Fieldkit per data folder. A second start on the same folder
//! hands over to the first (its window comes forward) and exits before it
//! opens anything.
//!
//! Linux: a well-known name on the D-Bus session bus, through libdbus (the
//! `dbus` crate the window toolkit and the keychain already link), the same
//! name, object and method tauri-plugin-single-instance uses, so either side
//! can be an older Fieldkit. Elsewhere: tauri-plugin-single-instance.
//! The name carries a hash of `FIELDKIT_DATA_DIR` when it is set, so
//! portable or test folders each have their own instance.

use tauri::plugin::TauriPlugin;
use tauri::{AppHandle, Manager, Runtime};

/// The D-Bus name's stem: the app's identifier, or one per `FIELDKIT_DATA_DIR`.
fn instance_id(identifier: &str) -> String {
    use std::hash::{Hash, Hasher};
    match std::env::var_os("FIELDKIT_DATA_DIR") {
        Some(folder) => {
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            folder.hash(&mut hasher);
            format!("{identifier}.folder{:016x}", hasher.finish())
        }
        None => identifier.to_string(),
    }
}

/// The first instance's window comes forward.
fn bring_forward<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

#[cfg(not(target_os = "linux"))]
pub fn plugin<R: Runtime>() -> TauriPlugin<R> {
    let mut builder = tauri_plugin_single_instance::Builder::new().callback(|app, _args, _cwd| bring_forward(app));
    if std::env::var_os("FIELDKIT_DATA_DIR").is_some() {
        builder = builder.dbus_id(instance_id("com.fieldkit.app"));
    }
    builder.build()
}

#[cfg(target_os = "linux")]
pub fn plugin<R: Runtime>() -> TauriPlugin<R> {
    tauri::plugin::Builder::new("single-instance")
        .setup(|app, _api| {
            linux::claim_or_hand_over(app, &format!("{}.SingleInstance", instance_id(&app.config().identifier)));
            Ok(())
        })
        .build()
}

#[cfg(target_os = "linux")]
mod linux {
    use std::time::Duration;

    use dbus::blocking::stdintf::org_freedesktop_dbus::RequestNameReply;
    use dbus::blocking::Connection;
    use dbus::channel::{MatchingReceiver, Sender};
    use dbus::message::MatchRule;
    use tauri::{AppHandle, Runtime};

    const INTERFACE: &str = "org.SingleInstance.DBus";
    const METHOD: &str = "ExecuteCallback";

    /// `com.fieldkit.app.SingleInstance` → `/com/fieldkit/app/SingleInstance`.
    pub(super) fn object_path(name: &str) -> String {
        format!("/{}", name.replace('.', "/").replace('-', "_"))
    }

    /// Takes the name and answers later starts on a thread of its own; or,
    /// when another Fieldkit holds it, tells that one and exits. Without a
    /// session bus there is no way to find the other: this one runs.
    pub(super) fn claim_or_hand_over<R: Runtime>(app: &AppHandle<R>, name: &str) {
        let connection = match Connection::new_session() {
            Ok(connection) => connection,
            Err(error) => {
                eprintln!("fieldkit: no D-Bus session bus, so no check for a running Fieldkit: {error}");
                return;
            }
        };
        match connection.request_name(name, false, false, true) {
            Ok(RequestNameReply::PrimaryOwner | RequestNameReply::AlreadyOwner) => serve(app.clone(), connection, name),
            Ok(RequestNameReply::Exists | RequestNameReply::InQueue) => {
                match hand_over(&connection, name) {
                    Ok(()) => {
                        app.cleanup_before_exit();
                        std::process::exit(0);
                    }
                    // The other one did not answer (hung, or exiting): run rather than vanish.
                    Err(error) => eprintln!("fieldkit: a running Fieldkit did not answer ({error}); starting anyway"),
                }
            }
            Err(error) => eprintln!("fieldkit: could not check for a running Fieldkit: {error}"),
        }
    }

    fn serve<R: Runtime>(app: AppHandle<R>, connection: Connection, name: &str) {
        let path = object_path(name);
        connection.start_receive(
            MatchRule::new_method_call(),
            Box::new(move |message, connection| {
                let ours = message.path().is_some_and(|called| *called == *path)
                    && message.interface().is_some_and(|interface| &*interface == INTERFACE)
                    && message.member().is_some_and(|member| &*member == METHOD);
                if ours {
                    super::bring_forward(&app);
                    let _ = connection.send(message.method_return());
                } else if message.get_no_reply() {
                    // Nothing to answer.
                } else {
                    let unknown = dbus::strings::ErrorName::from("org.freedesktop.DBus.Error.UnknownMethod");
                    let _ = connection.send(message.error(&unknown, c"No such method"));
                }
                true
            }),
        );
        let spawned = std::thread::Builder::new().name("single-instance".into()).spawn(move || loop {
            if connection.process(Duration::from_secs(3600)).is_err() {
                break;
            }
        });
        if let Err(error) = spawned {
            eprintln!("fieldkit: could not listen for a second start: {error}");
        }
    }

    fn hand_over(connection: &Connection, name: &str) -> Result<(), dbus::Error> {
        let args: Vec<String> = std::env::args_os().map(|arg| arg.to_string_lossy().into_owned()).collect();
        let cwd = std::env::current_dir().unwrap_or_default().to_string_lossy().into_owned();
        let proxy = connection.with_proxy(name, object_path(name), Duration::from_secs(5));
        proxy.method_call::<(), _, _, _>(INTERFACE, METHOD, (args, cwd))
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn the_object_path_follows_the_name() {
            assert_eq!(object_path("com.fieldkit.app.SingleInstance"), "/com/fieldkit/app/SingleInstance");
            assert_eq!(
                object_path("com.fieldkit.app.folder00ff.SingleInstance"),
                "/com/fieldkit/app/folder00ff/SingleInstance"
            );
        }
    }
}
