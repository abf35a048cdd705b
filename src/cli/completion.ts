// `kina completion bash|zsh|fish`: the script a shell sources. Every script asks kina itself for
// the words (`kina --get-yargs-completions WORDS…`, answered by yargs from the registered commands
// and flags), so completion never drifts from the CLI. bash and zsh are yargs's own templates;
// yargs has none for fish, so fish's is written here the same way.

import { didYouMean } from "../config/near.js";
import { UsageError } from "../config/resolve.js";

export const SHELLS = ["bash", "zsh", "fish"] as const;

const BASH = `###-begin-kina-completions-###
# kina completion for bash. Install: kina completion bash > /etc/bash_completion.d/kina
#   or add to ~/.bashrc: source <(kina completion bash)
_kina_yargs_completions()
{
    local cur_word args type_list

    cur_word="\${COMP_WORDS[COMP_CWORD]}"
    args=("\${COMP_WORDS[@]}")

    # ask kina (yargs) to generate completions.
    type_list=$(kina --get-yargs-completions "\${args[@]}")

    COMPREPLY=( $(compgen -W "\${type_list}" -- \${cur_word}) )

    # if no match was found, fall back to filename completion
    if [ \${#COMPREPLY[@]} -eq 0 ]; then
      COMPREPLY=()
    fi

    return 0
}
complete -o bashdefault -o default -F _kina_yargs_completions kina
###-end-kina-completions-###
`;

const ZSH = `#compdef kina
###-begin-kina-completions-###
# kina completion for zsh. Install: kina completion zsh > "\${fpath[1]}/_kina"
#   or add to ~/.zshrc: source <(kina completion zsh)
_kina_yargs_completions()
{
  local reply
  local si=$IFS
  IFS=$'\\n' reply=($(COMP_CWORD="$((CURRENT-1))" COMP_LINE="$BUFFER" COMP_POINT="$CURSOR" kina --get-yargs-completions "\${words[@]}"))
  IFS=$si
  _describe 'values' reply
}
compdef _kina_yargs_completions kina
###-end-kina-completions-###
`;

const FISH = `# kina completion for fish. Install: kina completion fish > ~/.config/fish/completions/kina.fish
#   or: kina completion fish | source
function __kina_yargs_completions
    # the words before the cursor (kina first) and the one being typed, as bash's script passes them
    set -l words (commandline -opc) (commandline -ct)
    kina --get-yargs-completions $words
end
complete -c kina -f -a '(__kina_yargs_completions)'
`;

export function completionScript(shell: string): string {
  switch (shell) {
    case "bash":
      return BASH;
    case "zsh":
      return ZSH;
    case "fish":
      return FISH;
    default:
      throw new UsageError(`completion: unknown shell "${shell}"; allowed: ${SHELLS.join(", ")}${didYouMean(shell, SHELLS)}`);
  }
}
