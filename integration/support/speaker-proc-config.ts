// The variable that carries a speaker-proc's configuration, passwords included: the
// environment, since a command line is visible to every user of the machine.
export const SPEAKER_PROC_CONFIG = 'SPEAKER_PROC_CONFIG';
