//! Who may be in the room: the Unix user of a peer process, read from the socket, and whether
//! that user is the owner or a member of `[room] group`. Checked on every connection, from
//! `/etc/passwd` and `/etc/group` as they are then.

/// The credentials of a connected process, as the kernel reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Peer {
    pub uid: u32,
    pub gid: u32,
}

/// The fields of the passwd line of `uid`.
fn passwd_entry(passwd: &str, uid: u32) -> Option<Vec<&str>> {
    passwd.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(':').collect();
        (fields.len() > 3 && fields[2].parse() == Ok(uid)).then_some(fields)
    })
}

/// The login name of `uid` in passwd text.
#[must_use]
pub fn user_name(passwd: &str, uid: u32) -> Option<String> {
    passwd_entry(passwd, uid).map(|fields| fields[0].to_owned())
}

/// Group `name` in group text: its id and the names listed as its members.
#[must_use]
pub fn group<'a>(groups: &'a str, name: &str) -> Option<(u32, Vec<&'a str>)> {
    groups.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(':').collect();
        if fields.len() < 4 || fields[0] != name {
            return None;
        }
        let members = fields[3].split(',').filter(|m| !m.is_empty()).collect();
        Some((fields[2].parse().ok()?, members))
    })
}

/// The id of group `name` on this machine.
#[must_use]
pub fn group_id(name: &str) -> Option<u32> {
    let groups = std::fs::read_to_string("/etc/group").ok()?;
    group(&groups, name).map(|(gid, _)| gid)
}

/// Whether `peer` may join the room of `owner` (a uid) open also to `room_group`; the reason
/// when not, as the refused console shows it.
pub fn admit(
    peer: Peer,
    owner: u32,
    room_group: Option<&str>,
    passwd: &str,
    groups: &str,
) -> Result<(), String> {
    if peer.uid == owner {
        return Ok(());
    }
    let name = user_name(passwd, peer.uid).unwrap_or_else(|| format!("uid {}", peer.uid));
    let owner_name = user_name(passwd, owner).unwrap_or_else(|| format!("uid {owner}"));
    let Some(wanted) = room_group else {
        return Err(format!(
            "{name} may not join: the room is {owner_name}'s alone (set [room] group to let a team in)"
        ));
    };
    let Some((gid, members)) = group(groups, wanted) else {
        return Err(format!(
            "{name} may not join: [room] group `{wanted}` does not exist on this machine"
        ));
    };
    let primary = passwd_entry(passwd, peer.uid).and_then(|f| f[3].parse().ok());
    if peer.gid == gid || primary == Some(gid) || members.contains(&name.as_str()) {
        Ok(())
    } else {
        Err(format!(
            "{name} may not join: not {owner_name} and not in group `{wanted}`"
        ))
    }
}

/// The machine's name, as actors carry it.
#[must_use]
pub fn host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map_or_else(|_| "localhost".into(), |h| h.trim().to_owned())
}

/// The actor of `uid` in the journal, `user@host`, from passwd text.
#[must_use]
pub fn actor(passwd: &str, uid: u32) -> String {
    let user = user_name(passwd, uid).unwrap_or_else(|| format!("uid{uid}"));
    format!("{user}@{}", host())
}

/// The actor of `uid`, from this machine's `/etc/passwd`.
#[must_use]
pub fn actor_of(uid: u32) -> String {
    actor(
        &std::fs::read_to_string("/etc/passwd").unwrap_or_default(),
        uid,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASSWD: &str = "root:x:0:0:root:/root:/bin/bash\n\
        dana:x:1001:1001::/home/dana:/bin/sh\n\
        sam:x:1002:1002::/home/sam:/bin/sh\n\
        kim:x:1003:1100::/home/kim:/bin/sh\n\
        eve:x:1004:1004::/home/eve:/bin/sh\n";
    const GROUP: &str = "root:x:0:\noncall:x:1100:sam\ndana:x:1001:\n";

    fn peer(uid: u32, gid: u32) -> Peer {
        Peer { uid, gid }
    }

    #[test]
    fn the_owner_and_the_group_are_in_and_no_one_else() {
        let admit = |p, g| admit(p, 1001, g, PASSWD, GROUP);
        assert_eq!(admit(peer(1001, 1001), None), Ok(()));
        assert_eq!(
            admit(peer(1002, 1002), Some("oncall")),
            Ok(()),
            "listed member"
        );
        assert_eq!(
            admit(peer(1003, 1100), Some("oncall")),
            Ok(()),
            "primary group"
        );
        assert_eq!(
            admit(peer(1004, 1100), Some("oncall")),
            Ok(()),
            "process group"
        );
        let eve = admit(peer(1004, 1004), Some("oncall")).unwrap_err();
        assert_eq!(eve, "eve may not join: not dana and not in group `oncall`");
        let alone = admit(peer(1002, 1002), None).unwrap_err();
        assert!(alone.contains("dana's alone"), "{alone}");
        let missing = admit(peer(1002, 1002), Some("sre")).unwrap_err();
        assert!(missing.contains("`sre` does not exist"), "{missing}");
        assert!(
            admit(peer(0, 0), Some("oncall")).is_err(),
            "root is not special"
        );
    }

    #[test]
    fn names_come_from_passwd() {
        assert_eq!(user_name(PASSWD, 1002).as_deref(), Some("sam"));
        assert_eq!(user_name(PASSWD, 4242), None);
        let stranger = admit(peer(4242, 4242), 1001, None, PASSWD, GROUP).unwrap_err();
        assert!(stranger.starts_with("uid 4242 may not join"), "{stranger}");
    }
}
