package io.spindle.tokenizer;

import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Loads the configured tokenizer once; a missing or unusable file stops start-up with the config key named. */
@ApplicationScoped
public class TokenizerProducer {

    @Produces
    @Singleton
    TextTokenizer tokenizer(TokenizerServiceConfig config) {
        TextTokenizer tokenizer = TokenizerLoader.load(config.path(), config.eosToken(), config.fastPath());
        Log.infof("tokenizer %s (%s) loaded, EOS id %d, packing %d rows of %d tokens per batch",
                tokenizer.id(), tokenizer.getClass().getSimpleName(), tokenizer.eosId(), config.rowsPerBatch(),
                config.rowLength());
        return tokenizer;
    }

    void close(@Disposes TextTokenizer tokenizer) {
        tokenizer.close();
    }
}
