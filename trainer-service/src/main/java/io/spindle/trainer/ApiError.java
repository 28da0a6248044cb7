package io.spindle.trainer;

/** The JSON body of every error answer: {@code {"error": "..."}}, as the other services answer. */
public record ApiError(String error) {
}
