"""The demo park's witnesses: a regulator and an auditor, served by the demo server itself.

In production each witness is its own process on its owner's machine (``parksteward witness
serve``). The demo has no regulator to call, so ``parksteward demo`` makes two witness keys in
its data folder, mounts both witnesses under ``/witnesses/<name>/`` of its own server and
writes a trust file (the log, the regulator required, the auditor optional with k = 1): the
demo's checkpoints become final the way a real park's do, over HTTP, with real cosignatures.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from parksteward.ledger import keys
from parksteward.ledger import note as notes
from parksteward.ledger.checkpoint import Policy
from parksteward.ledger.witness import Witness, WitnessState, create_app

DEMO_WITNESSES = {"regulator": "regulator.demo.parksteward.local/witness",
                  "auditor": "auditor.demo.parksteward.local/witness"}


def _signer(path: Path, name: str) -> notes.CosignatureSigner:
    if not path.exists():
        skey, _ = notes.generate_key(name, notes.ED25519_COSIGNATURE)
        keys.write_signer_key(path, skey)
    return notes.CosignatureSigner.from_skey(keys.read_signer_key(path).skey())


def prepare(folder: Path, log_key: notes.Signer, base_url: str) -> tuple[Path, str, dict[str, FastAPI]]:
    """Keys, state and trust file of the demo witnesses in ``folder``.

    Returns the trust file, the ``ledger_witnesses`` setting (name=url pairs under ``base_url``)
    and the witness apps to mount at ``/witnesses/<key>``.
    """
    folder.mkdir(parents=True, exist_ok=True)
    signers = {key: _signer(folder / f"{key}.key", name) for key, name in DEMO_WITNESSES.items()}
    apps = {key: create_app(Witness(signer, [log_key.verifier()], WitnessState(folder / f"{key}.db")))
            for key, signer in signers.items()}
    policy = Policy(log=log_key.verifier(), required=(signers["regulator"].verifier(),),
                    optional=(signers["auditor"].verifier(),), min_optional=1)
    trust = keys.write_trust_file(folder / "trust.txt", policy,
                                  comment="The demo park's trust file: the log, the regulator (required) and the "
                                          "auditor (1 of 1 optional).") if not (folder / "trust.txt").exists() \
        else folder / "trust.txt"
    witnesses = ",".join(f"{signers[key].name}={base_url.rstrip('/')}/witnesses/{key}" for key in signers)
    return trust, witnesses, apps
