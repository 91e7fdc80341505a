/** Deutsch. `Dictionary` makes a missing or extra key a type error. */

import type { Dictionary } from "./en";

export const de: Dictionary = {
  "common.cancel": "Abbrechen",
  "common.close": "Schließen",
  "common.loading": "Wird geladen…",
  "common.no": "Nein",
  "common.retry": "Erneut versuchen",
  "common.yes": "Ja",

  "welcome.title": "Willkommen bei Lanparty",
  "welcome.lede":
    "Lanparty teilt Spiele zwischen allen in deinem lokalen Netzwerk, und du kannst sie herunterladen, installieren und spielen – ganz ohne Server und Internet.",
  "welcome.folder": "Spieleordner",
  "welcome.folderHint":
    "Wo deine Spiele liegen oder wohin heruntergeladene Spiele sollen. Lanparty teilt die Spiele, die es dort findet.",
  "welcome.folderPlaceholder": "Zum Beispiel D:\\Spiele",
  "welcome.pick": "Auswählen…",
  "welcome.pickTitle": "Spieleordner auswählen",
  "welcome.continue": "Weiter",
  "welcome.empty": "Gib einen Ordner ein oder wähle einen mit „Auswählen…“.",
  "welcome.invalid": "Dieser Ordner kann nicht verwendet werden. Wähle einen anderen.",

  "nav.label": "Hauptmenü",
  "nav.library": "Bibliothek",
  "nav.downloads": "Downloads",
  "nav.peers": "Peers",
  "nav.logs": "Protokolle",
  "nav.settings": "Einstellungen",
  "nav.running": "laufend:",
  "nav.connected": "verbunden:",

  "runtime.starting": "Lanparty startet…",
  "runtime.running": "Lanparty läuft.",
  "runtime.stopped": "Lanparty wurde beendet. Starte die App neu.",
  "runtime.failed": "Lanparty konnte nicht starten.",
  "runtime.failedBecause": "Lanparty konnte nicht starten: {reason}",

  "error.noGameFolder": "Es ist noch kein Spieleordner gewählt. Wähle einen in den Einstellungen.",
  "error.starting": "Lanparty startet gerade. Versuche es gleich noch einmal.",
  "error.stopped":
    "Lanparty wurde beendet, bevor das erledigt war (es schließt oder startet neu). Versuche es gleich noch einmal.",

  "crash.title": "Etwas ist schiefgelaufen",
  "crash.text":
    "Dieses Fenster ist auf einen Fehler gestoßen, den es nicht behandeln konnte. Lade es neu, um weiterzumachen: Downloads und Installationen laufen im Hintergrund weiter.",
  "crash.details": "Was passiert ist",
  "crash.reload": "Neu laden",

  "library.search": "Spiele durchsuchen",
  "library.searchPlaceholder": "Spiele durchsuchen",
  "library.filter": "Anzeigen",
  "library.sort": "Sortieren nach",
  "library.countOf": "{shown} von {total}",
  "library.gridLabel": "Spiele",
  "library.loading": "Bibliothek wird geladen",
  "library.loadFailed": "Die Bibliothek konnte nicht geladen werden",
  "library.emptyTitle": "Noch keine Spiele",
  "library.emptyText":
    "Lege Spiele in deinen Spieleordner oder warte auf Peers in deinem Netzwerk: Ihre Spiele erscheinen hier.",
  "library.emptyPeers": "Peers ansehen",
  "library.noMatchTitle": "Kein Spiel passt",
  "library.noMatchText": "Versuche eine andere Suche oder zeige alle Spiele.",
  "library.clearFilters": "Alle Spiele zeigen",
  "library.unavailable":
    "Der Spieleordner kann nicht gelesen werden; seine Spiele werden erst wieder geteilt, wenn er zurück ist.",

  "filter.all": "Alle",
  "filter.local": "Auf diesem PC",
  "filter.installed": "Installiert",
  "filter.updates": "Updates",

  "sort.name": "Name",
  "sort.size": "Größe",
  "sort.status": "Status",

  "status.downloading": "Wird geladen",
  "status.installing": "Wird installiert",
  "status.update": "Update verfügbar",
  "status.installed": "Installiert",
  "status.downloaded": "Heruntergeladen",
  "status.remote": "Nicht auf diesem PC",
  "status.unavailable": "Nicht auf diesem PC",

  "primary.play": "Spielen",
  "primary.install": "Installieren",
  "primary.update": "Aktualisieren",
  "primary.download": "Herunterladen",
  "primary.cancel": "Abbrechen",
  "primary.installing": "Installiert…",
  "primary.no-peer": "Kein Peer hat es",

  "action.download": "Herunterladen",
  "action.update": "Aktualisieren",
  "action.install": "Installieren",
  "action.play": "Spielen",
  "action.start-server": "Server starten",
  "action.uninstall": "Deinstallieren",
  "action.remove": "Dateien entfernen",
  "action.cancel": "Download abbrechen",
  "action.cancelInstall": "Installation abbrechen",
  "action.show-files": "Dateien anzeigen",

  "action.failed.download": "{title} konnte nicht heruntergeladen werden",
  "action.failed.update": "{title} konnte nicht aktualisiert werden",
  "action.failed.install": "{title} konnte nicht installiert werden",
  "action.failed.play": "{title} konnte nicht gestartet werden",
  "action.failed.start-server": "Der Server von {title} konnte nicht gestartet werden",
  "action.failed.uninstall": "{title} konnte nicht deinstalliert werden",
  "action.failed.remove": "{title} konnte nicht entfernt werden",
  "action.failed.cancel": "{title} konnte nicht abgebrochen werden",
  "action.failed.show-files": "Die Dateien von {title} konnten nicht angezeigt werden",

  "card.peers": "Peers mit diesem Spiel: {count}",

  "progress.starting": "Startet…",
  "progress.preparing": "Wird vorbereitet…",
  "progress.installing": "Installiert {percent}",
  "progress.estimating": "Zeit wird geschätzt",
  "progress.left": "noch {time}",

  "detail.about": "Über das Spiel",
  "detail.noDescription": "Keine Beschreibung.",
  "detail.copies": "Im Netzwerk",
  "detail.noCopies": "Kein verbundener Peer hat dieses Spiel.",
  "detail.peer": "Peer",
  "detail.version": "Version",
  "detail.size": "Größe",
  "detail.latest": "neueste",
  "detail.status": "Status",
  "detail.players": "Spieler",
  "detail.localVersion": "Version hier",
  "detail.latestVersion": "Neueste Version",
  "detail.none": "keine",
  "detail.files": "Dateien",
  "detail.peers": "Peers mit der neuesten",
  "detail.server": "Kann Server hosten",
  "detail.sharing": "Teilen",
  "detail.shared": "Wird im Netzwerk geteilt",
  "detail.notShared": "Wird nicht geteilt",
  "detail.from": "Von",
  "detail.noActions": "Nichts zu tun: Gerade hat kein Peer dieses Spiel.",
  "detail.serverLog": "Serverprotokoll",

  "confirm.removeTitle": "{title} entfernen?",
  "confirm.removeText":
    "Damit werden die heruntergeladenen Dateien ({size}) und eine Installation dieses Spiels von diesem PC gelöscht. Du kannst es von einem Peer, der es hat, erneut herunterladen.",
  "confirm.removeYes": "Dateien entfernen",

  "confirm.uninstallTitle": "{title} deinstallieren?",
  "confirm.uninstallText":
    "Damit wird der Installationsordner gelöscht, mit allen Spielständen und Einstellungen, die das Spiel darin ablegt. Die heruntergeladenen Dateien bleiben, du kannst es also wieder installieren.",
  "confirm.uninstallYes": "Deinstallieren",

  "downloads.active": "Laufend",
  "downloads.none":
    "Gerade wird nichts heruntergeladen oder installiert. Starte einen Download in der Bibliothek.",
  "downloads.recent": "Früher in dieser Sitzung",
  "downloads.downloading": "Download",
  "downloads.updating": "Update",
  "downloads.installing": "Installation",
  "downloads.connecting": "Verbindet mit Peers…",
  "downloads.activePeers": "Peers ({count})",

  "history.download.finished": "Heruntergeladen",
  "history.download.failed": "Download fehlgeschlagen",
  "history.download.cancelled": "Download abgebrochen",
  "history.update.finished": "Aktualisiert",
  "history.update.failed": "Update fehlgeschlagen",
  "history.update.cancelled": "Update abgebrochen",
  "history.install.finished": "Installiert",
  "history.install.failed": "Installation fehlgeschlagen",
  "history.install.cancelled": "Installation abgebrochen",

  "peers.addLabel": "Peer über Adresse hinzufügen",
  "peers.addHint":
    "Wenn ein Computer nicht von selbst erscheint (WLAN, anderes Subnetz), gib seine Adresse und seinen Port ein, wie sie in seinen Einstellungen stehen.",
  "peers.add": "Hinzufügen",
  "peers.badAddress": "Gib eine Adresse mit Port ein, etwa 192.168.1.20:7878.",
  "peers.searching": "Suche nach Peers…",
  "peers.searchingText": "Andere Computer in deinem Netzwerk, auf denen Lanparty läuft, erscheinen hier.",
  "peers.name": "Name",
  "peers.address": "Adresse",
  "peers.games": "Spiele",
  "peers.ping": "Ping",
  "peers.rate": "Empfang",
  "peers.manual": "Über Adresse hinzugefügt",
  "peers.remove": "Entfernen",
  "peers.removeAddress": "{addr} entfernen",

  "diagnosis.title": "Noch keine Peers gefunden – Netzwerkprüfung",
  "diagnosis.again": "Erneut prüfen",
  "diagnosis.running": "Netzwerk wird geprüft…",
  "diagnosis.port": "Port",
  "diagnosis.noPort": "lauscht nicht",
  "diagnosis.mdns": "Erkennung (mDNS)",
  "diagnosis.mdnsOn": "läuft",
  "diagnosis.mdnsOff": "aus",
  "diagnosis.mdnsStarting": "startet",
  "diagnosis.mdnsFailed": "fehlgeschlagen: {reason}",
  "diagnosis.interface": "Schnittstelle",
  "diagnosis.address": "Adresse",
  "diagnosis.loopback": "nur dieser PC",
  "diagnosis.linkLocal": "keine Adresse vom Router",
  "diagnosis.vpn": "VPN",
  "diagnosis.state": "Zustand",
  "diagnosis.multicast": "Multicast",
  "diagnosis.up": "aktiv",
  "diagnosis.down": "inaktiv",

  "settings.folder": "Spieleordner",
  "settings.folderHint":
    "Lanparty teilt die Spiele in diesem Ordner und lädt neue Spiele hierher herunter.",
  "settings.username": "Spielername",
  "settings.usernameHint": "Spiele und andere Spieler sehen diesen Namen.",
  "settings.language": "Sprache",
  "settings.languageHint":
    "Spiele starten in dieser Sprache. Lanparty selbst erscheint bei Deutsch auf Deutsch, sonst auf Englisch.",
  "settings.uploadLimit": "Upload-Limit",
  "settings.uploadLimitHint": "Wie schnell andere von diesem PC herunterladen dürfen. Leer für kein Limit.",
  "settings.unlimited": "Kein Limit",
  "settings.limitInvalid": "Gib eine ganze Zahl größer als 0 ein oder lass das Feld für kein Limit leer.",
  "settings.save": "Speichern",
  "settings.saved": "Einstellungen gespeichert.",
  "settings.saveFailed": "Einstellungen nicht gespeichert",

  "about.title": "Über diesen PC",
  "about.version": "Lanparty-Version",
  "about.name": "Name im Netzwerk",
  "about.peerId": "Peer-ID",
  "about.port": "Port",
  "about.stateDir": "Datenordner",

  "logs.app": "Anwendungsprotokoll",
  "logs.unpack": "Entpackprotokoll",
  "logs.server": "Serverprotokolle",
  "logs.servers": "Server mit Protokoll",
  "logs.serverNone":
    "Noch keine Serverprotokolle. Ein mit „Server starten“ gestarteter Server schreibt seine Ausgabe hierher.",
  "logs.serverMissing": "{title} hat noch kein Serverprotokoll.",
  "logs.serverEmpty": "Dieses Protokoll ist noch leer.",
  "logs.serverTruncated": "Ältere Ausgaben wurden abgeschnitten: Das ist das Ende des Protokolls.",
  "logs.modified": "Aktualisiert {time}",
  "logs.unknownTime": "Zeit unbekannt",
  "logs.level": "Stufe",
  "logs.level.error": "Fehler",
  "logs.level.warn": "Warnungen und schlimmer",
  "logs.level.info": "Info und schlimmer",
  "logs.level.debug": "Debug und schlimmer",
  "logs.level.trace": "Alles",
  "logs.search": "Protokoll durchsuchen",
  "logs.refresh": "Aktualisieren",
  "logs.empty": "Keine passenden Protokollzeilen.",
  "logs.truncated": "Die letzten {shown} von {total} Zeilen.",
  "logs.game": "Spiel",
  "logs.allGames": "Alle Spiele",
  "logs.noRuns":
    "Keine passenden Entpackläufe. Läufe erscheinen hier, wenn Spiele installiert werden.",
  "logs.ok": "OK",
  "logs.failed": "Fehlgeschlagen",
  "logs.exit": "Exit-Code: {code}",

  "scan.label": "Spieldateien werden geprüft",
  "scan.hashing": "Prüfe {title}",

  "toasts.label": "Benachrichtigungen",
  "toasts.dismiss": "Schließen",

  "notice.downloadFailed": "Download von {title} fehlgeschlagen",
  "notice.resumable": "Lade erneut herunter, um dort weiterzumachen, wo es aufgehört hat.",
  "notice.installFailed": "Installation von {title} fehlgeschlagen",
  "notice.peerDropped": "{name} wurde beim Download von {title} ausgeschlossen",
  "notice.downloadFinished": "{title} heruntergeladen",
  "notice.updateFinished": "{title} aktualisiert",
  "notice.downloadStats": "{size} in {time} ({speed})",
  "notice.installFinished": "{title} ist installiert und spielbereit.",
  "notice.installUpdated": "Die Installation von {title} ist aktuell.",
  "notice.uninstalled": "{title} wurde deinstalliert. Die heruntergeladenen Dateien bleiben erhalten.",
  "notice.removed": "Die Dateien von {title} wurden entfernt.",
  "notice.playing": "{title} startet.",
  "notice.setupAndPlay": "{title} hat die Ersteinrichtung ausgeführt und startet.",
  "notice.serverStarted": "Der Server von {title} startet.",
  "notice.eventsLagged":
    "Das Fenster hat {count} Meldungen von Lanparty verpasst und die Bibliothek deshalb neu eingelesen.",

  "op.download": "ein Download",
  "op.update": "ein Update",
  "op.install": "eine Installation",
  "op.update-install": "ein Update wird installiert",
  "op.uninstall": "wird deinstalliert",
  "op.play": "das Spiel startet",
  "op.start-server": "sein Server startet",
  "op.remove": "seine Dateien werden entfernt",
  "op.cancel": "ein Abbruch",

  "problem.stopped":
    "Lanparty wurde beendet, bevor das erledigt war (es schließt oder startet neu). Versuche es gleich noch einmal.",
  "problem.download.bad-id": "„{game}“ ist kein Spiel, das Lanparty kennt.",
  "problem.download.offline": "Lanparty ist auf diesem PC nicht im Netzwerk und kann nicht herunterladen. Starte die App neu.",
  "problem.download.busy": "{title} ist beschäftigt ({what}). Warte, bis es fertig ist, oder brich es ab.",
  "problem.download.no-source":
    "Kein verbundener Peer hat {title}. Warte auf einen Peer, der es hat, oder füge unter Peers einen per Adresse hinzu.",
  "problem.download.already-downloaded":
    "{title} {version} ist schon heruntergeladen. Aktualisiere es, wenn ein Peer eine neuere Version hat.",
  "problem.download.not-downloaded": "{title} ist noch nicht heruntergeladen. Lade es zuerst herunter.",
  "problem.download.up-to-date": "{title} ist aktuell ({version}): Kein verbundener Peer hat eine neuere Version.",
  "problem.download.manifest-fetch":
    "Kein Peer hat die Dateiliste von {title} {version} geschickt ({detail}). Versuche es noch einmal, wenn sie antworten.",
  "problem.download.no-space":
    "In {dir} ist nicht genug Platz für {title} {version}: Gebraucht werden {need}, frei sind {have}. Schaffe Platz oder wähle in den Einstellungen einen anderen Spieleordner.",
  "problem.download.disk-full":
    "Das Laufwerk mit {dir} ist voll, {left} von {title} {version} fehlen noch. Schaffe Platz und lade dann erneut herunter, um dort weiterzumachen, wo es aufgehört hat.",
  "problem.download.io": "{title} kann nicht nach {path} geschrieben werden: {detail}",
  "problem.download.sources-gone":
    "Alle Peers mit {title} {version} sind weg ({done} von {total} geprüft). Lade erneut herunter, um weiterzumachen, sobald einer zurück ist.",
  "problem.download.sources-dropped":
    "Kein Peer ist mehr übrig, um {title} {version} zu laden: {dropped} haben fehlerhafte Daten geschickt oder abgelehnt ({done} von {total} geprüft). Bitte sie, ihre Kopie zu prüfen, und lade dann erneut herunter, um weiterzumachen.",
  "problem.download.version-mismatch":
    "Die Kopie von {title}, die die Peers teilen, nennt sich Version „{found}“, nicht {version}. Bitte sie, das zu korrigieren.",
  "problem.download.not-downloading": "{title} wird nicht heruntergeladen, es gibt nichts abzubrechen.",
  "problem.download.install-finished-first":
    "Nichts wurde abgebrochen: {title} war schon fertig installiert. Deinstalliere es stattdessen.",
  "problem.download.already-finished":
    "Nichts wurde abgebrochen: {title} war schon fertig heruntergeladen. Deinstalliere es oder entferne stattdessen seine Dateien.",
  "problem.download.cancelled": "Der Download von {title} wurde abgebrochen.",
  "problem.manifest.no-source": "Kein Peer hat {title} {version}.",
  "problem.manifest.no-agreement":
    "Die Peers sind uneins, was {title} {version} enthält ({votes}), deshalb wurde nichts heruntergeladen. Frag den Veranstalter, welche Kopie stimmt; die anderen sollten ihre entfernen.",
  "problem.manifest.mismatch":
    "Die empfangene Dateiliste von {title} {version} ist nicht die, die seine Peers angekündigt haben ({detail}). Versuche es noch einmal.",
  "problem.manifest.unsafe-path":
    "Die Kopie von {title} {version}, die die Peers teilen, enthält einen unsicheren Dateinamen, „{path}“ ({detail}), deshalb wurde nichts heruntergeladen. Bitte sie, ihre Kopie zu korrigieren.",
  "problem.install.bad-id": "„{game}“ ist kein Spiel, das Lanparty kennt.",
  "problem.install.busy": "{title} ist beschäftigt ({what}). Warte, bis es fertig ist, oder brich es ab.",
  "problem.install.not-downloaded": "{title} ist nicht heruntergeladen. Lade es zuerst herunter.",
  "problem.install.no-unpacker": "Diesem Lanparty fehlt sein Entpacker (lanparty-unrar). Installiere Lanparty neu.",
  "problem.install.already-installed": "{title} ist schon installiert. Aktualisiere oder deinstalliere es stattdessen.",
  "problem.install.not-installed": "{title} ist nicht installiert.",
  "problem.install.foreign":
    "{path} ist im Weg, und Lanparty kennt es nicht als sein eigenes. Sieh hinein, behalte, was du brauchst, lösche es dann und versuche es noch einmal.",
  "problem.install.io": "{path} konnte nicht geändert werden ({what}): {detail}",
  "problem.remove.installed": "{title} ist installiert. Deinstalliere es, bevor du seine Dateien entfernst.",
  "problem.remove.not-removable":
    "{path} ist kein Spieleordner, den Lanparty entfernen darf ({why}). Entferne ihn selbst, wenn du das willst.",
  "problem.remove.io":
    "{path} konnte nicht entfernt werden ({detail}). Schließe das Spiel und jedes Fenster, das seine Dateien zeigt, und versuche es noch einmal.",
  "problem.unpack": "{title} konnte nicht entpackt werden: {message}",
  "problem.unpack.spawn": "Der Entpacker {path} konnte nicht gestartet werden ({detail}). Installiere Lanparty neu.",
  "problem.unpack.crashed":
    "Der Entpacker hat ohne Ergebnis aufgehört ({detail}). Das Entpack-Protokoll unter Protokolle zeigt seine Ausgabe.",
  "problem.unpack.output":
    "Die Ausgabe des Entpackers war nicht lesbar ({detail}). Das Entpack-Protokoll unter Protokolle zeigt sie.",
  "problem.unpack.cancelled": "Das Entpacken wurde abgebrochen.",
  "problem.unpack.password":
    "{title} konnte nicht entpackt werden: Seine Archive sind passwortgeschützt, und Lanparty installiert nur offene Archive. ({message})",
  "problem.unpack.corrupt":
    "{title} konnte nicht entpackt werden: Ein Archiv ist beschädigt ({message}). Entferne seine Dateien und lade es erneut herunter.",
  "problem.unpack.missing_volume":
    "{title} konnte nicht entpackt werden: Ein Teil eines Archivs fehlt ({message}). Entferne seine Dateien und lade es erneut herunter.",
  "problem.unpack.no_space":
    "{title} konnte nicht entpackt werden: Es ist nicht genug Platz frei ({message}). Schaffe Platz und installiere dann erneut.",
  "problem.unpack.unsafe_name":
    "{title} wurde nicht installiert: Seine Archive enthalten einen Dateinamen, der außerhalb des Spieleordners schreiben könnte ({message}).",
  "problem.unpack.link":
    "{title} wurde nicht installiert: Seine Archive enthalten eine Verknüpfung, die Lanparty nicht entpackt ({message}).",
  "problem.unpack.special_file":
    "{title} wurde nicht installiert: Seine Archive enthalten eine Spezialdatei, die Lanparty nicht entpackt ({message}).",
  "problem.unpack.collision":
    "{title} wurde nicht installiert: Seine Archive enthalten zwei Dateien mit demselben Namen ({message}).",
  "problem.unpack.too_large":
    "{title} wurde nicht installiert: Seine Archive entpacken zu mehr, als sie sollten ({message}).",
  "problem.unpack.too_many_entries": "{title} wurde nicht installiert: Seine Archive enthalten zu viele Dateien ({message}).",
  "problem.launch.not-installed": "{title} ist nicht installiert. Installiere es zuerst.",
  "problem.launch.no-script":
    "{title} hat kein {script} in seiner Installation, deshalb kann Lanparty es so nicht starten.",
  "problem.launch.spawn": "{path} konnte nicht ausgeführt werden: {detail}",
  "problem.launch.io": "{path} konnte nicht geschrieben werden: {detail}",
  "problem.username.empty": "Dein Spielername ist leer. Wähle einen in den Einstellungen.",
  "problem.username.too-long":
    "Dein Spielername ist {bytes} Bytes lang, Spiele lesen höchstens 31. Wähle in den Einstellungen einen kürzeren.",
  "problem.username.spaces": "Dein Spielername beginnt oder endet mit einem Leerzeichen. Entferne es in den Einstellungen.",
  "problem.username.char":
    "Dein Spielername enthält „{char}“, was Spielen nicht übergeben werden kann. Entferne es in den Einstellungen.",
  "problem.username.bad-language": "„{language}“ ist keine Sprache, die Spiele kennen. Wähle eine in den Einstellungen.",
  "problem.username.no-section":
    "SmartSteamEmu.ini hat keinen Abschnitt [SmartSteamEmu], deshalb wurde dein Spielername nicht eingetragen.",
  "problem.username.utf16":
    "SmartSteamEmu.ini ist als UTF-16 gespeichert, das Lanparty nicht bearbeitet, deshalb wurde dein Spielername nicht eingetragen.",
  "problem.peer.bad-address":
    "„{addr}“ ist keine brauchbare Peer-Adresse ({detail}). Schreibe Adresse und Port, etwa 192.168.1.20:{port}.",
  "problem.peer.no-such-peer": "„{peer}“ passt zu keinem verbundenen Peer.",
  "problem.peer.ambiguous": "„{peer}“ passt zu mehreren verbundenen Peers.",
  "problem.peer.offline": "Lanparty ist auf diesem PC nicht im Netzwerk. Starte die App neu.",
  "problem.peer.save": "Die Peers konnten nicht in {path} gespeichert werden: {detail}",
  "problem.peer.net": "Netzwerkfehler: {detail}",
  "problem.peer.unknown-address": "„{addr}“ ist weder ein gespeicherter noch ein verbundener Peer. Sieh in der Liste der Peers nach.",
  "problem.settings.busy":
    "{title} ist beschäftigt ({what}). Warte, bis es fertig ist, oder brich es ab, und speichere die Einstellungen dann noch einmal.",
  "problem.settings.downloads-kept":
    "Unfertige Downloads ({games}) liegen im jetzigen Spieleordner. Schließe sie ab oder brich sie ab, bevor du einen anderen Ordner wählst.",
  "problem.settings.operation-starting":
    "Ein Download oder eine Installation startet gerade. Warte darauf und speichere die Einstellungen dann noch einmal.",
};
