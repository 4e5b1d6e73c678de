package io.kickoff.lsm.api;

record TransitionRequest(String to, String reason) {
}
